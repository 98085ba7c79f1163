import FlotillaConcurrency
import FlotillaModel
import FlotillaSource
import FlotillaStore
import FlotillaWire
import Foundation

/// The planner's and the loader's memory. Used by one reload at a time (reloads run one after
/// another from the hub's watcher), on the blocking pool rather than on the hub actor.
final class PlannerBox: @unchecked Sendable {
    var planner = IncrementalPlanner()
    var cache = SourceCache()
}

/// What one reload computed off the hub actor.
struct PlannedSource: Sendable {
    var plan: Plan
    /// Spokes whose payload or error differs from the previous plan's.
    var changedSpokes: Set<String>
    var changes: SourceCache.Changes
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
        let reloadStarted = ContinuousClock.now
        let planned: Result<PlannedSource, SourceErrors> = await BlockingPool.run {
            do throws(SourceErrors) {
                // Only files that changed are read again; the planner recomputes only what
                // their objects, policies and spokes can affect.
                let (fleet, changes) = try box.cache.loadFleet(loader)
                let update = box.planner.update(fleet)
                return .success(PlannedSource(plan: update.plan, changedSpokes: update.changedSpokes, changes: changes))
            } catch {
                return .failure(error)
            }
        }
        let source: PlannedSource
        switch planned {
        case .success(let planned): source = planned
        case .failure(let error):
            // Rejected as written: wait for the next change of the files.
            sourceError = error.description
            sourceRejected = true
            sourceErrorsCounter.increment()
            logger.error("source rejected; keeping the last good plan", metadata: ["errors": "\(error.description)"])
            return
        }
        let newPlan = source.plan
        logger.debug("source planned", metadata: ["elapsed": "\(ContinuousClock.now - reloadStarted)", "changedSpokes": "\(source.changedSpokes.count)"])
        // After a failed or first reload every spoke is compared with the store; otherwise only
        // the ones the planner says changed, and the ones the rollout gate held back.
        let consider: Set<String>? = needsFullSync ? nil : source.changedSpokes.union(heldSpokes)
        var entries: [HubStore.PlanEntry] = []
        var payloads: [String: [UInt8]] = [:]
        var problems: [String] = []
        for sp in newPlan.spokes {
            let name = sp.spoke.name
            let limit = configuration.maxBundleBytes
            let problem =
                sp.error
                ?? sp.payload.flatMap { $0.count > limit ? "bundle for spoke \(name) is \($0.count) bytes, over the limit of \(limit)" : nil }
            if let problem { problems.append(problem) }
            if let consider, !consider.contains(name) { continue }
            if let problem {
                try? await store.recordPlanError(spoke: name, error: problem)
                continue
            }
            guard let payload = sp.payload, let hash = sp.hash else { continue }
            payloads[name] = payload
            entries.append(HubStore.PlanEntry(spoke: name, hash: hash, objects: sp.placements.map(\.ref)))
        }
        do {
            let outcome = try await publisher.publish(entries, payloads: payloads)
            let names = Set(newPlan.spokes.map(\.spoke.name))
            var removed: [String] = []
            if needsFullSync || names != inventory {
                removed = try await store.retire(keeping: names)
                await ingest.setKnown(names)
                inventory = names
            }
            plan = newPlan
            sourceRejected = false
            heldSpokes = Set(outcome.held)
            needsFullSync = false
            sourceError = problems.isEmpty ? nil : problems.joined(separator: "\n")
            for p in problems { logger.error("spoke keeps its previous bundle", metadata: ["error": "\(p)"]) }
            await publisher.clear(removed)
            logger.info(
                "plan applied",
                metadata: [
                    "spokes": "\(newPlan.spokes.count)", "changed": "\(outcome.published.count)", "held": "\(outcome.held.count)",
                    "removed": "\(removed.count)", "filesParsed": "\(source.changes.parsed.count)",
                    "filesRemoved": "\(source.changes.removed.count)",
                ])
        } catch {
            // Not recorded: try again on the next poll even if the files do not change, with
            // every spoke compared to the store (the planner has already moved on).
            fingerprint = nil
            needsFullSync = true
            sourceError = "cannot record plan: \(error)"
            logger.error("cannot record plan", metadata: ["error": "\(error)"])
        }
    }
}
