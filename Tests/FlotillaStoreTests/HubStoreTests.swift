import FlotillaModel
import FlotillaWire
import FlotillaStore
import Foundation
import Testing

/// The hub's generations, dedup and watermark against a real SQLite file.
struct HubStoreTests {
    static func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("hub-\(UUID().uuidString).sqlite").path
    }

    static func report(_ seq: Int64, epoch: String = "e", kind: StatusReport.Kind = .event, generation: Int64? = nil) -> StatusReport {
        StatusReport(seq: seq, epoch: epoch, kind: kind, generation: generation, time: 0)
    }

    static let make: @Sendable (String, Int64) throws -> [UInt8] = { spoke, gen in Array("\(spoke)@\(gen)".utf8) }

    /// The store's half of publishing (the hub's is `BundlePublisher`): which spokes changed,
    /// then their envelopes committed in one transaction.
    static func record(
        _ store: HubStore, _ entries: [HubStore.PlanEntry], makeEnvelope: @Sendable (String, Int64) throws -> [UInt8]
    ) async throws -> [HubStore.Publication] {
        let publications = try await store.changed(entries).map { e, generation in
            HubStore.Publication(spoke: e.spoke, generation: generation, envelope: try makeEnvelope(e.spoke, generation))
        }
        try await store.commit(publications, entries: entries)
        return publications
    }

    /// A store whose inventory holds `spoke`, planned `generations` times (reports need a known spoke).
    static func store(spoke: String = "s", generations: Int = 1) async throws -> HubStore {
        let store = try HubStore(path: tempPath())
        for g in 1...generations {
            _ = try await HubStoreTests.record(store, [.init(spoke: spoke, hash: "h\(g)", objects: [])], makeEnvelope: make)
        }
        return store
    }

    /// Ingests canonical reports and returns the ack as (epoch, seq), ignoring its digest.
    static func ingest(_ store: HubStore, _ reports: [StatusReport], spoke: String = "s") async throws -> Ack? {
        let result = try await store.ingest(spoke: spoke, reports: reports.map(IncomingReport.init))
        return result.ack.map { Ack(epoch: $0.epoch, seq: $0.seq) }
    }

    @Test func generationsGrowOnlyWhenTheHashChangesAndSurviveReopening() async throws {
        let path = Self.tempPath()
        var store = try HubStore(path: path)
        var pubs = try await HubStoreTests.record(store, [.init(spoke: "a", hash: "h1", objects: [])], makeEnvelope: Self.make)
        #expect(pubs.map(\.generation) == [1])
        pubs = try await HubStoreTests.record(store, [.init(spoke: "a", hash: "h1", objects: [])], makeEnvelope: Self.make)
        #expect(pubs.isEmpty)
        store = try HubStore(path: path)
        pubs = try await HubStoreTests.record(store, [.init(spoke: "a", hash: "h2", objects: [])], makeEnvelope: Self.make)
        #expect(pubs.map(\.generation) == [2])
        #expect(pubs.first?.envelope == Array("a@2".utf8))
        // Leaving and returning keeps the generation growing.
        #expect(try await store.retire(keeping: []) == ["a"])
        #expect(try await store.publications().isEmpty)
        pubs = try await HubStoreTests.record(store, [.init(spoke: "a", hash: "h2", objects: [])], makeEnvelope: Self.make)
        #expect(pubs.map(\.generation) == [3])
    }

    @Test func ingestStoresOnceAndAcksTheContiguousWatermark() async throws {
        let store = try await Self.store()
        #expect(try await Self.ingest(store, [Self.report(1), Self.report(2), Self.report(4)]) == Ack(epoch: "e", seq: 2))
        #expect(try await Self.ingest(store, [Self.report(2), Self.report(4)]) == Ack(epoch: "e", seq: 2))
        #expect(try await Self.ingest(store, [Self.report(3)]) == Ack(epoch: "e", seq: 4))
        let (stored, duplicates) = try await store.spokeCounters("s")
        #expect(stored == 4)
        #expect(duplicates == 2)
        #expect(try await store.reportCount(spoke: "s") == 4)
    }

    @Test func aNewAgentDatabaseStartsANewEpoch() async throws {
        let store = try await Self.store()
        _ = try await Self.ingest(store, (1...3).map { Self.report($0, epoch: "old") })
        #expect(try await Self.ingest(store, [Self.report(1, epoch: "new")]) == Ack(epoch: "new", seq: 1))
        #expect(try await store.reportCount(spoke: "s") == 4)
    }

    @Test func appliedReportsSetTheSpokesPhaseInOrder() async throws {
        let store = try await Self.store(generations: 5)
        _ = try await Self.ingest(store, [Self.report(2, kind: .applied, generation: 5), Self.report(1, kind: .failed, generation: 4)])
        let record = try #require(try await store.spokes().first)
        // The failure (seq 1) is older than the apply (seq 2): it must not win.
        #expect(record.phase == .applied)
        #expect(record.appliedGeneration == 5)
    }

    @Test func aLateDuplicateFromAnOldDatabaseDoesNotSwitchTheEpoch() async throws {
        let store = try await Self.store()
        _ = try await Self.ingest(store, (1...2).map { Self.report($0, epoch: "old") })
        _ = try await Self.ingest(store, (1...3).map { Self.report($0, epoch: "new") })
        // A straggler of the old database, already stored: nothing changes, nothing is acked for it.
        #expect(try await Self.ingest(store, [Self.report(2, epoch: "old")]) == nil)
        let record = try #require(try await store.spokes().first)
        #expect(record.epoch == "new")
        #expect(record.ackedSeq == 3)
        // A duplicate of the current epoch repeats the current ack.
        #expect(try await Self.ingest(store, [Self.report(3, epoch: "new")]) == Ack(epoch: "new", seq: 3))
    }
}

extension IncomingReport {
    /// A report whose bytes are its canonical encoding, as this project's agent sends it.
    init(_ report: StatusReport) {
        self.init(report: report, digest: StatusReport.digest(of: report.encoded()))
    }
}
