import FlotillaModel
import FlotillaStore
import Foundation

extension Hub {
    /// Reloads the source when its files changed; on any error keeps the last good plan live.
    func reloadIfChanged() async {
        let fp = loader.fingerprint()
        guard fp != fingerprint else { return }
        fingerprint = fp
        await reload()
    }

    /// Loads, validates and plans the source, then records and publishes what changed.
    public func reload() async {
        let fleet: FleetSource
        do {
            fleet = try loader.loadFleet()
        } catch {
            // Rejected as written: wait for the next change of the files.
            sourceError = error.description
            sourceErrorsCounter.increment()
            logger.error("source rejected; keeping the last good plan", metadata: ["errors": "\(error.description)"])
            return
        }
        let newPlan = planner.update(fleet).plan
        var entries: [HubStore.PlanEntry] = []
        var payloads: [String: [UInt8]] = [:]
        var problems: [String] = []
        for sp in newPlan.spokes {
            let name = sp.spoke.name
            if let error = sp.error {
                problems.append(error)
                try? await store.recordPlanError(spoke: name, error: error)
                continue
            }
            guard let payload = sp.payload, let hash = sp.hash else { continue }
            if payload.count > configuration.maxBundleBytes {
                let error = "bundle for spoke \(name) is \(payload.count) bytes, over the limit of \(configuration.maxBundleBytes)"
                problems.append(error)
                try? await store.recordPlanError(spoke: name, error: error)
                continue
            }
            payloads[name] = payload
            entries.append(HubStore.PlanEntry(spoke: name, hash: hash, objects: sp.placements.map(\.ref)))
        }
        do {
            // Only changed spokes get a new generation and envelope; envelopes are built on every
            // core before the one transaction that records them, and published after it commits.
            let jobs = try await store.changed(entries).map { e, generation in
                EnvelopeBatch.Job(spoke: e.spoke, generation: generation, payload: payloads[e.spoke] ?? [])
            }
            let key = configuration.signingKey
            let envelopes = try await BlockingWork.run { try EnvelopeBatch.build(jobs, signingWith: key) }
            let publications = zip(jobs, envelopes).map {
                HubStore.Publication(spoke: $0.spoke, generation: $0.generation, envelope: $1)
            }
            try await store.commit(publications, entries: entries)
            let removed = try await store.retire(keeping: Set(newPlan.spokes.map(\.spoke.name)))
            plan = newPlan
            await ingest.setKnown(Set(newPlan.spokes.map(\.spoke.name)))
            sourceError = problems.isEmpty ? nil : problems.joined(separator: "\n")
            for p in problems { logger.error("spoke keeps its previous bundle", metadata: ["error": "\(p)"]) }
            await publish(publications)
            for spoke in removed {
                lastEnqueued[spoke] = nil
                logger.info("spoke left the inventory; clearing its retained bundle", metadata: ["spoke": "\(spoke)"])
                _ = try? client.send(topic: configuration.topics.desired(spoke), payload: [], qos: 1, retain: true)
            }
            logger.info(
                "plan applied",
                metadata: ["spokes": "\(newPlan.spokes.count)", "changed": "\(publications.count)", "removed": "\(removed.count)"])
        } catch {
            // Not recorded: try again on the next poll even if the files do not change.
            fingerprint = nil
            sourceError = "cannot record plan: \(error)"
            logger.error("cannot record plan", metadata: ["error": "\(error)"])
        }
    }

    /// Hands envelopes to libmosquitto in order, never one older than what was already handed
    /// over for that spoke (a republish racing a reload must not bring back an old bundle).
    /// libmosquitto keeps them until the broker PUBACKs, across reconnects; nothing waits here,
    /// so a reload never stalls on a slow or absent broker.
    func publish(_ publications: [HubStore.Publication]) async {
        var sent = 0
        for p in publications {
            if let last = lastEnqueued[p.spoke], last > p.generation { continue }
            do {
                try client.send(topic: configuration.topics.desired(p.spoke), payload: p.envelope, qos: 1, retain: true)
                lastEnqueued[p.spoke] = p.generation
                sent += 1
            } catch {
                logger.error("cannot publish bundle", metadata: ["spoke": "\(p.spoke)", "error": "\(error)"])
            }
        }
        publishedCounter.increment(by: sent)
    }

    /// On every connect: the broker may have lost retained bundles (restart without persistence,
    /// or a crash losing what arrived since its last autosave, session or not), so publish every
    /// current envelope again. Agents ignore identical hashes.
    func republishAll() async {
        do {
            let all = try await store.publications()
            logger.info("republishing retained bundles", metadata: ["count": "\(all.count)"])
            await publish(all)
        } catch {
            logger.error("cannot read publications", metadata: ["error": "\(error)"])
        }
    }
}
