import FlotillaModel
import FlotillaWire
import FlotillaStore
import Foundation
import Testing

/// What a spoke's reports may and may not do to the hub's database.
struct HubStoreHostileTests {
    typealias T = HubStoreTests

    @Test func reportsOfASpokeOutsideTheInventoryCreateNothing() async throws {
        let store = try await T.store(spoke: "known")
        let result = try await store.ingest(spoke: "phantom", reports: [IncomingReport(T.report(1))])
        #expect(result == IngestResult())
        try await store.recordPresence(spoke: "phantom", presence: Presence(state: .online))
        #expect(try await store.spokes().map(\.name) == ["known"])
        #expect(try await store.reportCount(spoke: "phantom") == 0)
    }

    @Test func theSameKeyWithOtherContentIsACollisionNotADuplicate() async throws {
        let store = try await T.store()
        _ = try await T.ingest(store, (1...3).map { T.report($0) })
        // Same keys, other content: a state file restored from a backup numbering again.
        let restored = (2...4).map { StatusReport(seq: $0, epoch: "e", kind: .applied, generation: 1, time: 99) }
        let result = try await store.ingest(spoke: "s", reports: restored.map(IncomingReport.init))
        #expect(result.collisions == 2)
        #expect(result.duplicates == 0)
        #expect(result.stored == 1)
        #expect(result.ack?.newEpoch == true)
        #expect(result.ack?.epoch == "e")
        // The colliding reports had no effect; the one new key did.
        let bodies = try await store.reports(spoke: "s").filter { $0.seq <= 3 }
        #expect(bodies.allSatisfy { $0.kind == .event })
        // A byte-identical resend is still a duplicate.
        let again = try await store.ingest(spoke: "s", reports: [IncomingReport(T.report(2))])
        #expect(again.duplicates == 1 && again.collisions == 0 && again.ack?.newEpoch == nil)
    }

    @Test func theAckCarriesTheDigestOfTheReportAtItsSequence() async throws {
        let store = try await T.store()
        let r = T.report(1)
        let result = try await store.ingest(spoke: "s", reports: [IncomingReport(r)])
        #expect(result.ack?.hash == StatusReport.digest(of: r.encoded()))
    }

    @Test func claimsAboveThePublishedGenerationChangeNothing() async throws {
        let store = try await T.store(generations: 1)
        let result = try await store.ingest(
            spoke: "s", reports: [IncomingReport(T.report(1, kind: .applied, generation: 999))])
        #expect(result.stored == 1)
        #expect(result.ignoredClaims.count == 1)
        #expect(result.ignoredClaims.first?.contains("999") == true)
        let record = try #require(try await store.spokes().first)
        #expect(record.phase == .pending)
        #expect(record.appliedGeneration == nil)
    }

    @Test func aReissueNeverOverflowsAndLosesToAConcurrentPlan() async throws {
        let store = try await T.store(generations: 2)
        let current = try #require(try await store.currentPublication(spoke: "s"))
        #expect(current.generation == 2)
        // Beyond the protocol's bound: refused, whatever the claim.
        #expect(try await store.reissue(spoke: "s", from: 2, to: WireLimits.maxCounter + 1, envelope: [1]) == false)
        #expect(try await store.reissue(spoke: "s", from: 2, to: 1, envelope: [1]) == false)
        // A plan committed meanwhile (generation 3) wins over a re-issue computed from 2.
        _ = try await HubStoreTests.record(store, [.init(spoke: "s", hash: "newer", objects: [])], makeEnvelope: T.make)
        #expect(try await store.reissue(spoke: "s", from: 2, to: 8, envelope: [8]) == false)
        #expect(try await store.reissue(spoke: "s", from: 3, to: 8, envelope: [8]) == true)
        #expect(try await store.generation(of: "s") == 8)
        // Later plans keep counting from there.
        let pubs = try await HubStoreTests.record(store, [.init(spoke: "s", hash: "next", objects: [])], makeEnvelope: T.make)
        #expect(pubs.map(\.generation) == [9])
    }

    @Test func retentionKeepsABoundedHistoryAndStillRecognisesPrunedDuplicates() async throws {
        let store = try await T.store()
        let retention = ReportRetention(perSpoke: 20, maxAgeDays: 7)
        for batch in 0..<10 {
            let reports = (1...10).map { T.report(Int64(batch * 10 + $0)) }
            _ = try await store.ingest(spoke: "s", reports: reports.map(IncomingReport.init), retention: retention)
        }
        let kept = try await store.reportCount(spoke: "s")
        #expect(kept >= 20 && kept <= 25)
        // Counters and state are kept for ever.
        let record = try #require(try await store.spokes().first)
        #expect(record.reportsStored == 100)
        #expect(record.ackedSeq == 100)
        // A resend of a pruned report is a duplicate, not a new report.
        let again = try await store.ingest(spoke: "s", reports: [IncomingReport(T.report(3))], retention: retention)
        #expect(again.duplicates == 1 && again.stored == 0)
    }

    @Test func aRetainedAckRaisesTheWatermarkOfItsEpochOnly() async throws {
        let store = try await T.store()
        _ = try await T.ingest(store, [T.report(1, epoch: "current")])
        // A floor for an older epoch must not switch the spoke's current epoch.
        #expect(try await store.raiseWatermark(spoke: "s", epoch: "older", acked: 40) == nil)
        var record = try #require(try await store.spokes().first)
        #expect(record.epoch == "current")
        // A floor for the current epoch raises it; a later duplicate below it is absorbed.
        let raised = try await store.raiseWatermark(spoke: "s", epoch: "current", acked: 8)
        #expect(raised?.seq == 8)
        record = try #require(try await store.spokes().first)
        #expect(record.ackedSeq == 8)
        #expect(try await T.ingest(store, [T.report(30, epoch: "older")]) == nil)
        let dup = try await store.ingest(spoke: "s", reports: [IncomingReport(T.report(12, epoch: "older"))])
        #expect(dup.duplicates == 1)
    }
}
