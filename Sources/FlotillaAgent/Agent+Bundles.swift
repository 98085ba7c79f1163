import FlotillaModel
import FlotillaWire
import Foundation

extension Agent {
    /// Verifies, stores and applies a bundle from the `desired` topic. Every refusal is
    /// reported and leaves the running bundle as it is.
    /// Applies run one at a time: a periodic reconcile of the stored bundle must never
    /// interleave with a new bundle's apply (it would prune the new bundle's objects). The actor
    /// is re-entered at every await, so this is an async lock: later callers wait their turn.
    func exclusively(_ body: () async -> Void) async {
        while applying { await withCheckedContinuation { applyWaiters.append($0) } }
        applying = true
        await body()
        applying = false
        if !applyWaiters.isEmpty { applyWaiters.removeFirst().resume() }
    }

    func receive(envelope bytes: [UInt8]) async {
        await exclusively { await receiveNow(envelope: bytes) }
    }

    func reconcile(reason: String) async {
        await exclusively { await reconcileNow(reason: reason) }
    }

    private func receiveNow(envelope bytes: [UInt8]) async {
        guard !bytes.isEmpty else {
            // Retired: the hub cleared the bundle, the ack and the presence. Keep running what
            // was applied (an edge site must not tear down its workloads because a message went
            // missing) and stop re-announcing presence, which the hub cleared on purpose.
            retired = true
            await refuse("desired state was cleared at the broker (spoke removed from the inventory?); keeping the last bundle")
            return
        }
        retired = false
        let envelope: Envelope
        do {
            envelope = try Envelope.decode(bytes, trustedKeys: configuration.trustedKeys, maxBytes: configuration.maxBundleBytes)
        } catch {
            await refuse("refused bundle: \(error)")
            return
        }
        let header = envelope.header
        guard header.spoke == configuration.name else {
            await refuse("refused bundle: \(EnvelopeError.wrongSpoke(expected: configuration.name, found: header.spoke))", generation: header.generation)
            return
        }
        let bundle: SpokeBundle
        do {
            bundle = try SpokeBundle.decode(payload: envelope.payload)
        } catch {
            await refuse("refused bundle: \(error)", generation: header.generation)
            return
        }
        do {
            switch try await store.offer(envelope: bytes, header: header) {
            case .unchanged:
                return
            case .renumbered:
                lastRefusal = nil
                logger.info("same bundle under a new generation", metadata: ["generation": "\(header.generation)"])
                await pump()
                return
            case .stale(let stored):
                await refuse(
                    "refused bundle: generation \(header.generation) is older than stored generation \(stored) (replay or stale hub state)",
                    generation: header.generation, storedGeneration: stored)
                return
            case .stored:
                lastRefusal = nil
                logger.info("stored bundle", metadata: ["generation": "\(header.generation)", "objects": "\(bundle.items.count)"])
            }
        } catch {
            logger.error("cannot store bundle", metadata: ["error": "\(error)"])
            return
        }
        await apply(bundle, generation: header.generation, hash: header.hash)
        await pump()
    }

    /// Applies the stored bundle again: at start (no broker needed) and periodically (drift).
    private func reconcileNow(reason: String) async {
        do {
            guard let bytes = try await store.storedEnvelope() else { return }
            // Stored bytes were verified on receipt; verify again in case the file was altered,
            // or the key that signed them is no longer trusted.
            let envelope: Envelope
            do {
                envelope = try Envelope.decode(bytes, trustedKeys: configuration.trustedKeys, maxBytes: configuration.maxBundleBytes)
            } catch {
                let stored = try await store.inspect()
                // Reported, so the hub shows the spoke Refused instead of Applied.
                await refuse(
                    "drift correction stopped: the stored bundle (generation \(stored.storedGeneration ?? 0), key \(stored.storedKeyId ?? "?")) no longer verifies: \(error); waiting for a bundle this agent trusts",
                    generation: stored.storedGeneration)
                return
            }
            let bundle = try SpokeBundle.decode(payload: envelope.payload)
            let outcome = await configuration.applier.apply(bundle)
            let changed = outcome.objects.contains { $0.state != .unchanged }
            let inspection = try await store.inspect()
            if changed || !outcome.ok || inspection.appliedHash != envelope.header.hash || reason == "start" {
                try await store.recordApply(
                    generation: envelope.header.generation, hash: envelope.header.hash, ok: outcome.ok,
                    message: outcome.message ?? (outcome.ok ? nil : "some objects failed"), objects: outcome.objects)
                logger.log(
                    level: outcome.ok ? .info : .warning, "reconciled",
                    metadata: [
                        "reason": "\(reason)", "generation": "\(envelope.header.generation)", "ok": "\(outcome.ok)",
                        "failure": "\(outcome.ok ? "" : Self.failureReason(outcome))",
                    ])
            }
        } catch {
            logger.error("cannot reconcile stored bundle", metadata: ["error": "\(error)"])
        }
        await pump()
    }

    func apply(_ bundle: SpokeBundle, generation: Int64, hash: String) async {
        let outcome = await configuration.applier.apply(bundle)
        do {
            try await store.recordApply(
                generation: generation, hash: hash, ok: outcome.ok,
                message: outcome.message ?? (outcome.ok ? nil : "some objects failed"), objects: outcome.objects)
        } catch {
            logger.error("cannot record apply", metadata: ["error": "\(error)"])
        }
        if outcome.ok {
            logger.info("applied bundle", metadata: ["generation": "\(generation)", "ok": "true"])
        } else {
            logger.warning("bundle failed to apply", metadata: ["generation": "\(generation)", "ok": "false", "reason": "\(Self.failureReason(outcome))"])
        }
    }

    /// Reports a refusal once per distinct reason (a retained message comes back on every reconnect).
    func refuse(_ message: String, generation: Int64? = nil, storedGeneration: Int64? = nil) async {
        logger.warning("\(message)")
        guard lastRefusal != message else { return }
        lastRefusal = message
        do {
            try await store.report(.refused, generation: generation, message: message, storedGeneration: storedGeneration)
        } catch {
            logger.error("cannot record refusal", metadata: ["error": "\(error)"])
        }
        await pump()
    }

    /// Every reason an apply failed, in full: the outcome's message and each failed object's.
    static func failureReason(_ outcome: ApplyOutcome) -> String {
        let objects = outcome.objects.filter { $0.state == .failed }.map { "\($0.ref): \($0.message ?? "failed")" }
        return ([outcome.message].compactMap { $0 } + objects).joined(separator: "; ")
    }
}
