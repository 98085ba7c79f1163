import FlotillaModel
import FlotillaWire
import FlotillaStore
import Foundation
import Testing

/// Many spokes' reports in one transaction: each spoke ends exactly where it would have
/// ended with its reports ingested alone.
struct HubStoreBatchTests {
    typealias T = HubStoreTests

    static func store(spokes: [String]) async throws -> HubStore {
        let store = try HubStore(path: T.tempPath())
        _ = try await T.record(store, spokes.map { .init(spoke: $0, hash: "h", objects: []) }, makeEnvelope: T.make)
        return store
    }

    @Test func aBatchOfManySpokesMatchesIngestingEachAlone() async throws {
        let names = (0..<20).map { "s\($0)" }
        // Per spoke: a gap, a duplicate within the batch, an applied report; one spoke outside the inventory.
        func reports(_ i: Int) -> [IncomingReport] {
            let seqs: [Int64] = i % 3 == 0 ? [1, 2, 2, 4] : [1, 2, 3]
            return seqs.map { IncomingReport(T.report($0, kind: $0 == 2 ? .applied : .event, generation: $0 == 2 ? 1 : nil)) }
        }
        let batched = try await Self.store(spokes: names)
        let alone = try await Self.store(spokes: names)
        let batch = names.enumerated().map { SpokeReports(spoke: $1, reports: reports($0)) } + [SpokeReports(spoke: "phantom", reports: reports(1))]
        let results = try await batched.ingest(batch)
        #expect(results.count == batch.count)
        for (i, name) in names.enumerated() {
            let single = try await alone.ingest(spoke: name, reports: reports(i))
            #expect(results[i] == single, "spoke \(name)")
        }
        #expect(results.last == IngestResult())
        // Three distinct keys per spoke; every third spoke sends one twice.
        let stored = results.map(\.stored).reduce(0, +)
        let duplicates = results.map(\.duplicates).reduce(0, +)
        #expect(stored == 3 * names.count)
        #expect(duplicates == names.indices.filter { $0 % 3 == 0 }.count)
        // Spokes with a gap are acked below it; the others to their last report.
        for (i, result) in results.prefix(names.count).enumerated() {
            #expect(result.ack?.seq == (i % 3 == 0 ? 2 : 3))
        }
        let a = try await batched.spokes().sorted { $0.name < $1.name }
        let b = try await alone.spokes().sorted { $0.name < $1.name }
        #expect(a.map(\.phase) == b.map(\.phase))
        #expect(a.map(\.appliedGeneration) == b.map(\.appliedGeneration))
        #expect(try await batched.spokes().map(\.name).contains("phantom") == false)
    }

    @Test func theBodyStoredIsTheBytesAsSent() async throws {
        let store = try await Self.store(spokes: ["s"])
        // Fields in another order than the canonical encoding, and one this hub does not know.
        let sent = Array(#"{"time":5,"kind":"event","epoch":"e","seq":1,"future":true}"#.utf8)
        let report = try StatusReport.parse(sent)
        _ = try await store.ingest([SpokeReports(spoke: "s", reports: [IncomingReport(report: report, digest: StatusReport.digest(of: sent), body: sent)])])
        #expect(try await store.reports(spoke: "s") == [report])
        #expect(try await store.reportBodies(spoke: "s") == [sent])
    }
}

extension HubStoreBatchTests {
    /// A restored agent's collisions in its old epoch and its renumbered reports in the new one
    /// can arrive in one batch: the ack must be the new epoch's, or the agent waits for ever.
    @Test func collisionsBesideANewEpochAckTheNewEpoch() async throws {
        let store = try await Self.store(spokes: ["s"])
        _ = try await store.ingest(spoke: "s", reports: (1...3).map { IncomingReport(T.report($0, epoch: "old")) })
        let colliding = (2...3).map { StatusReport(seq: $0, epoch: "old", kind: .applied, generation: 1, time: 7) }
        let renumbered = (1...4).map { T.report($0, epoch: "new") }
        let result = try await store.ingest([SpokeReports(spoke: "s", reports: (colliding + renumbered).map(IncomingReport.init))])[0]
        #expect(result.collisions == 2 && result.stored == 4)
        #expect(result.ack?.epoch == "new" && result.ack?.seq == 4 && result.ack?.newEpoch == nil)
        // A resend of the new epoch's reports, all duplicates, repeats that ack.
        let again = try await store.ingest(spoke: "s", reports: renumbered.map(IncomingReport.init))
        #expect(again.duplicates == 4 && again.ack?.epoch == "new" && again.ack?.seq == 4)
    }
}
