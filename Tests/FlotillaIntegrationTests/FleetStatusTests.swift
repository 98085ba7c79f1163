import FlotillaHub
import FlotillaModel
import FlotillaStore
import FlotillaWire
import Foundation
import Testing

/// The one definition of phases and convergence, without a hub.
struct FleetStatusTests {
    static let hub = StatusSnapshot.HubInfo(source: "src", sourceError: nil, brokerConnected: true)

    @Test func phasesMeanWhatTheySay() {
        #expect(FleetStatus.phase(of: SpokeRecord(name: "a", generation: 3, phase: .applied, appliedGeneration: 2)) == .applying)
        #expect(FleetStatus.phase(of: SpokeRecord(name: "a", generation: 3, phase: .applied, appliedGeneration: 3)) == .applied)
        #expect(FleetStatus.phase(of: SpokeRecord(name: "a", inInventory: false, generation: 3, phase: .applied, appliedGeneration: 3)) == .retired)
        #expect(FleetStatus.phase(of: SpokeRecord(name: "a", generation: 3, phase: .failed, appliedGeneration: 2)) == .failed)
    }

    @Test func convergedOnlyOnTheDesiredGenerationInTheInventory() {
        #expect(FleetStatus.isConverged(SpokeRecord(name: "a", generation: 2, phase: .applied, appliedGeneration: 2)))
        #expect(!FleetStatus.isConverged(SpokeRecord(name: "a", generation: 2, phase: .applied, appliedGeneration: 1)))
        #expect(!FleetStatus.isConverged(SpokeRecord(name: "a", inInventory: false, generation: 2, phase: .applied, appliedGeneration: 2)))
        #expect(!FleetStatus.isConverged(SpokeRecord(name: "a", generation: 2, phase: .failed, appliedGeneration: 2)))
        let counts = FleetStatus.counts([
            SpokeRecord(name: "a", generation: 1, phase: .applied, appliedGeneration: 1, online: true),
            SpokeRecord(name: "b", generation: 2, phase: .applying, appliedGeneration: 1, online: true),
            SpokeRecord(name: "c", inInventory: false, generation: 1, phase: .applied, appliedGeneration: 1, online: true),
        ])
        #expect(counts == FleetStatus.Counts(spokes: 2, online: 2, converged: 1))
    }

    /// The gauges count in SQL; they must count what `FleetStatus.counts` counts on the rows.
    @Test func theStoresCountsAreTheFleetStatusCounts() async throws {
        let store = try HubStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("counts-\(UUID()).sqlite").path)
        func plan(_ names: [String], hash: String) async throws {
            let entries = names.map { HubStore.PlanEntry(spoke: $0, hash: hash, objects: []) }
            let pubs = try await store.changed(entries).map { HubStore.Publication(spoke: $0.entry.spoke, generation: $0.generation, envelope: [1]) }
            try await store.commit(pubs, entries: entries)
        }
        try await plan(["a", "b", "c", "d"], hash: "h1")
        func report(_ seq: Int64, _ kind: StatusReport.Kind, _ generation: Int64) -> IncomingReport {
            let r = StatusReport(seq: seq, epoch: "e", kind: kind, generation: generation, time: 0)
            return IncomingReport(report: r, digest: StatusReport.digest(of: r.encoded()))
        }
        _ = try await store.ingest(spoke: "a", reports: [report(1, .applied, 1)])
        _ = try await store.ingest(spoke: "b", reports: [report(1, .applied, 1)])
        _ = try await store.ingest(spoke: "c", reports: [report(1, .failed, 1)])
        try await store.recordPresence(spoke: "a", presence: Presence(state: .online))
        try await store.recordPresence(spoke: "c", presence: Presence(state: .online))
        try await plan(["a", "c", "d"], hash: "h1")
        try await plan(["b", "d"], hash: "h2")  // b moves on; a and c leave
        _ = try await store.retire(keeping: ["b", "d"])
        try await plan(["a", "b", "d"], hash: "h2")  // a returns with new content
        _ = try await store.ingest(spoke: "d", reports: [report(1, .applied, 2)])
        let sql = try await store.fleetCounts()
        let rows = FleetStatus.counts(try await store.spokes())
        #expect(FleetStatus.Counts(spokes: sql.spokes, online: sql.online, converged: sql.converged) == rows)
        #expect(rows == FleetStatus.Counts(spokes: 3, online: 1, converged: 1))
    }

    @Test func settledNeedsEverySpokeConvergedAndEveryReportStored() {
        let records = [SpokeRecord(name: "a", generation: 1, phase: .applied, appliedGeneration: 1)]
        var snapshot = FleetStatus.snapshot(records: records, plan: nil, hub: Self.hub)
        #expect(FleetStatus.isSettled(snapshot))
        snapshot.spokes[0].lastSequence = 5
        #expect(!FleetStatus.isSettled(snapshot), "a report not yet stored")
        #expect(!FleetStatus.isSettled(FleetStatus.snapshot(records: [], plan: nil, hub: Self.hub)), "an empty fleet is not settled")
    }
}
