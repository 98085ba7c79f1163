import FlotillaModel
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

    @Test func generationsGrowOnlyWhenTheHashChangesAndSurviveReopening() async throws {
        let path = Self.tempPath()
        var store = try HubStore(path: path)
        let make: @Sendable (String, Int64) throws -> [UInt8] = { spoke, gen in Array("\(spoke)@\(gen)".utf8) }
        var pubs = try await store.record([.init(spoke: "a", hash: "h1", objects: [])], makeEnvelope: make)
        #expect(pubs.map(\.generation) == [1])
        pubs = try await store.record([.init(spoke: "a", hash: "h1", objects: [])], makeEnvelope: make)
        #expect(pubs.isEmpty)
        store = try HubStore(path: path)
        pubs = try await store.record([.init(spoke: "a", hash: "h2", objects: [])], makeEnvelope: make)
        #expect(pubs.map(\.generation) == [2])
        #expect(pubs.first?.envelope == Array("a@2".utf8))
        // Leaving and returning keeps the generation growing.
        #expect(try await store.retire(keeping: []) == ["a"])
        #expect(try await store.publications().isEmpty)
        pubs = try await store.record([.init(spoke: "a", hash: "h2", objects: [])], makeEnvelope: make)
        #expect(pubs.map(\.generation) == [3])
    }

    @Test func ingestStoresOnceAndAcksTheContiguousWatermark() async throws {
        let store = try HubStore(path: Self.tempPath())
        #expect(try await store.ingest(spoke: "s", reports: [Self.report(1), Self.report(2), Self.report(4)]) == Ack(epoch: "e", seq: 2))
        #expect(try await store.ingest(spoke: "s", reports: [Self.report(2), Self.report(4)]) == Ack(epoch: "e", seq: 2))
        #expect(try await store.ingest(spoke: "s", reports: [Self.report(3)]) == Ack(epoch: "e", seq: 4))
        let (stored, duplicates) = try await store.spokeCounters("s")
        #expect(stored == 4)
        #expect(duplicates == 2)
        #expect(try await store.reportCount(spoke: "s") == 4)
    }

    @Test func aNewAgentDatabaseStartsANewEpoch() async throws {
        let store = try HubStore(path: Self.tempPath())
        _ = try await store.ingest(spoke: "s", reports: (1...3).map { Self.report($0, epoch: "old") })
        #expect(try await store.ingest(spoke: "s", reports: [Self.report(1, epoch: "new")]) == Ack(epoch: "new", seq: 1))
        #expect(try await store.reportCount(spoke: "s") == 4)
    }

    @Test func appliedReportsSetTheSpokesPhaseInOrder() async throws {
        let store = try HubStore(path: Self.tempPath())
        _ = try await store.ingest(spoke: "s", reports: [Self.report(2, kind: .applied, generation: 5), Self.report(1, kind: .failed, generation: 4)])
        let record = try #require(try await store.spokes().first)
        // The failure (seq 1) is older than the apply (seq 2): it must not win.
        #expect(record.phase == "Applied")
        #expect(record.appliedGeneration == 5)
    }

    @Test func aLateDuplicateFromAnOldDatabaseDoesNotSwitchTheEpoch() async throws {
        let store = try HubStore(path: Self.tempPath())
        _ = try await store.ingest(spoke: "s", reports: (1...2).map { Self.report($0, epoch: "old") })
        _ = try await store.ingest(spoke: "s", reports: (1...3).map { Self.report($0, epoch: "new") })
        // A straggler of the old database, already stored: nothing changes, nothing is acked for it.
        #expect(try await store.ingest(spoke: "s", reports: [Self.report(2, epoch: "old")]) == nil)
        let record = try #require(try await store.spokes().first)
        #expect(record.epoch == "new")
        #expect(record.ackedSeq == 3)
        // A duplicate of the current epoch repeats the current ack.
        #expect(try await store.ingest(spoke: "s", reports: [Self.report(3, epoch: "new")]) == Ack(epoch: "new", seq: 3))
    }
}
