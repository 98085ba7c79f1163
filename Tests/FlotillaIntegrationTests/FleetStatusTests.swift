import FlotillaHub
import FlotillaModel
import FlotillaStore
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

    @Test func settledNeedsEverySpokeConvergedAndEveryReportStored() {
        let records = [SpokeRecord(name: "a", generation: 1, phase: .applied, appliedGeneration: 1)]
        var snapshot = FleetStatus.snapshot(records: records, plan: nil, hub: Self.hub)
        #expect(FleetStatus.isSettled(snapshot))
        snapshot.spokes[0].lastSequence = 5
        #expect(!FleetStatus.isSettled(snapshot), "a report not yet stored")
        #expect(!FleetStatus.isSettled(FleetStatus.snapshot(records: [], plan: nil, hub: Self.hub)), "an empty fleet is not settled")
    }
}
