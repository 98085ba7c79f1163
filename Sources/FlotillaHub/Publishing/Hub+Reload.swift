import FlotillaConcurrency
import FlotillaModel
import FlotillaSource
import FlotillaStore
import FlotillaWire
import Foundation

/// The planner's memory. Used by one reload at a time (reloads run one after another from the
/// hub's watcher), on the blocking pool rather than on the hub actor.
final class PlannerBox: @unchecked Sendable {
    var planner = IncrementalPlanner()
}

extension Hub {
    /// Reloads the source when its files changed; on any error keeps the last good plan live.
    func reloadIfChanged() async {
        let loader = self.loader
        let fp = await BlockingPool.run { loader.fingerprint() }
        guard fp != fingerprint else { return }
        fingerprint = fp
        await reload()
        // Only now is the plan of these files live (or their rejection known): what
        // `status --wait` compares with the files on disk.
        readFingerprint = fingerprint
    }

    /// Loads, validates and plans the source (on the blocking pool), then hands the changed
    /// bundles to the ``BundlePublisher``.
    public func reload() async {
        let loader = self.loader
        let box = plannerBox
        let planned: Result<Plan, SourceErrors> = await BlockingPool.run {
            do throws(SourceErrors) {
                return .success(box.planner.update(try loader.loadFleet()).plan)
            } catch {
                return .failure(error)
            }
        }
        let newPlan: Plan
        switch planned {
        case .success(let plan): newPlan = plan
        case .failure(let error):
            // Rejected as written: wait for the next change of the files.
            sourceError = error.description
            sourceRejected = true
            sourceErrorsCounter.increment()
            logger.error("source rejected; keeping the last good plan", metadata: ["errors": "\(error.description)"])
            return
        }
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
            let outcome = try await publisher.publish(entries, payloads: payloads)
            let names = Set(newPlan.spokes.map(\.spoke.name))
            let removed = try await store.retire(keeping: names)
            plan = newPlan
            sourceRejected = false
            await ingest.setKnown(names)
            sourceError = problems.isEmpty ? nil : problems.joined(separator: "\n")
            for p in problems { logger.error("spoke keeps its previous bundle", metadata: ["error": "\(p)"]) }
            await publisher.clear(removed)
            logger.info(
                "plan applied",
                metadata: [
                    "spokes": "\(newPlan.spokes.count)", "changed": "\(outcome.published.count)", "held": "\(outcome.held.count)",
                    "removed": "\(removed.count)",
                ])
        } catch {
            // Not recorded: try again on the next poll even if the files do not change.
            fingerprint = nil
            sourceError = "cannot record plan: \(error)"
            logger.error("cannot record plan", metadata: ["error": "\(error)"])
        }
    }
}
