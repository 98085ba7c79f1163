import FlotillaConcurrency
import FlotillaModel
import FlotillaWire
import Foundation

extension SimulatedSpoke {
    /// A message on `desired`: checked on the blocking pool (signature, inflate, hash, names),
    /// then stored and "applied" by the null applier under the lock, with the agent's reports.
    func receive(envelope bytes: [UInt8]) async {
        fleet.tally.update { c in
            c.bundlesReceived += 1
            if c.firstBundleAt == nil { c.firstBundleAt = Date() }
        }
        guard !bytes.isEmpty else {
            state.withLock { s in
                // Keep running the last bundle; stop announcing presence the hub cleared.
                s.retired = true
                refuse(&s, "desired state was cleared at the broker (spoke removed from the inventory?); keeping the last bundle")
                pump(&s)
            }
            return
        }
        let (name, keys, limit) = (name, fleet.trustedKeys, fleet.maxBundleBytes)
        let outcome = await BlockingPool.run { BundleCheck.check(bytes, spoke: name, trustedKeys: keys, maxBytes: limit) }
        state.withLock { s in
            s.retired = false
            switch outcome {
            case .refused(let message, let generation): refuse(&s, message, generation: generation)
            case .accepted(let header, let objects): offer(&s, header: header, objects: objects)
            }
            pump(&s)
        }
    }

    /// The protocol's table "What a spoke does with a verified bundle", with the null applier.
    private func offer(_ s: inout SpokeState, header: Envelope.Header, objects: [ObjectRef]) {
        let (g, h) = (header.generation, header.hash)
        if s.storedGeneration > 0 {
            let gs = s.storedGeneration
            if g == gs && h == s.storedHash {
                // The same retained message again: nothing to do, nothing to report.
                fleet.tally.update { $0.duplicatesAvoided += 1 }
                return
            }
            if g < gs || (g == gs && h != s.storedHash) {
                refuse(
                    &s, "refused bundle: generation \(g) is older than stored generation \(gs) (replay or stale hub state)",
                    generation: g, storedGeneration: gs)
                return
            }
            if h == s.storedHash {
                // Same content under a higher generation (a hub that re-numbered): store it and
                // report it applied, without applying again (the last apply of it succeeded).
                s.storedGeneration = g
                s.lastRefusal = nil
                s.write(.applied, generation: g, hash: h)
                setApplied(&s, g, reports: 1)
                return
            }
        }
        s.storedGeneration = g
        s.storedHash = h
        s.lastRefusal = nil
        s.write(.received, generation: g, hash: h)
        // The null applier: nothing is written, every object counts as applied.
        s.write(.applied, generation: g, hash: h, objects: objects.map { ObjectStatus(ref: $0, state: .applied) })
        setApplied(&s, g, reports: 2)
    }

    private func setApplied(_ s: inout SpokeState, _ generation: Int64, reports: Int) {
        let old = s.appliedGeneration
        s.appliedGeneration = generation
        fleet.tally.update { c in
            c.applies += 1
            c.reportsWritten += reports
            c.moveApplied(from: old, to: generation)
        }
    }

    /// Records a refusal, reporting it once per distinct reason (a retained message comes back
    /// on every reconnect, and the hub must not be flooded with the same refusal).
    func refuse(_ s: inout SpokeState, _ message: String, generation: Int64? = nil, storedGeneration: Int64? = nil) {
        fleet.tally.update { $0.bundlesRefused += 1 }
        guard s.lastRefusal != message else { return }
        fleet.logger.warning("\(message)", metadata: ["spoke": "\(name)"])
        s.lastRefusal = message
        s.write(.refused, generation: generation, message: message, storedGeneration: storedGeneration)
        fleet.tally.update { $0.reportsWritten += 1 }
    }
}
