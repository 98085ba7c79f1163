import FlotillaModel
import FlotillaWire
import FlotillaStore
import Foundation
import Testing

/// The agent's outbox and bundle rules against a real SQLite file.
struct AgentStoreTests {
    static func tempPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("agent-\(UUID().uuidString).sqlite").path
    }

    static func header(_ generation: Int64, _ hash: String, spoke: String = "s1") -> Envelope.Header {
        Envelope(spoke: spoke, generation: generation, payload: Array(hash.utf8)).header
    }

    @Test func storesNewerBundlesAndRefusesOlderOnes() async throws {
        let store = try AgentStore(path: Self.tempPath(), spoke: "s1")
        let h2 = Self.header(2, "two")
        #expect(try await store.offer(envelope: [1], header: h2) == .stored)
        #expect(try await store.offer(envelope: [1], header: h2) == .unchanged)
        #expect(try await store.offer(envelope: [9], header: Self.header(1, "one")) == .stale(stored: 2))
        #expect(try await store.offer(envelope: [3], header: Self.header(3, "three")) == .stored)
        #expect(try await store.storedEnvelope() == [3])
        let i = try await store.inspect()
        #expect(i.storedGeneration == 3)
        #expect(i.lastSequence == 2, "one received report per stored bundle")
        #expect(i.outboxPending == 2)
    }

    @Test func ackDeletesExactlyTheCoveredReportsOfItsEpoch() async throws {
        let path = Self.tempPath()
        let store = try AgentStore(path: path, spoke: "s1")
        for n in 1...5 { try await store.report(.event, message: "r\(n)") }
        #expect(try await store.acknowledge(Ack(epoch: "another-database", seq: 5)) == .ignored)
        #expect(try await store.acknowledge(Ack(epoch: store.epoch, seq: 3)) == .deleted(3))
        let pending = try await store.pending(limit: 10)
        #expect(pending.map(\.seq) == [4, 5])
        #expect(StatusReport.decode(pending[0].body)?.message == "r4")
        // Reopening keeps numbering and epoch: sequence numbers are never reused.
        let reopened = try AgentStore(path: path, spoke: "s1")
        #expect(reopened.epoch == store.epoch)
        #expect(try await reopened.report(.event) == 6)
        #expect(try await reopened.inspect().ackedSequence == 3)
    }

    @Test func refusesAStateFileOfAnotherSpoke() throws {
        let path = Self.tempPath()
        _ = try AgentStore(path: path, spoke: "s1")
        #expect(throws: StoreError.self) { try AgentStore(path: path, spoke: "s2") }
    }

    @Test func sameContentUnderAHigherGenerationIsRenumberedNotReapplied() async throws {
        let store = try AgentStore(path: Self.tempPath(), spoke: "s1")
        let h3 = Self.header(3, "same")
        #expect(try await store.offer(envelope: [3], header: h3) == .stored)
        try await store.recordApply(generation: 3, hash: h3.hash, ok: true, message: nil, objects: [])
        #expect(try await store.offer(envelope: [5], header: Self.header(5, "same")) == .renumbered)
        let i = try await store.inspect()
        #expect(i.storedGeneration == 5)
        #expect(i.appliedGeneration == 5)
        let last = try #require(try await store.pending(limit: 10).last)
        #expect(StatusReport.decode(last.body)?.kind == .applied)
        #expect(StatusReport.decode(last.body)?.generation == 5)
        // A different content at the same generation is not a renumbering: refused.
        #expect(try await store.offer(envelope: [6], header: Self.header(5, "other")) == .stale(stored: 5))
    }

    @Test func aFileRestoredFromAnOlderCopyRenumbersUnderANewEpoch() async throws {
        let store = try AgentStore(path: Self.tempPath(), spoke: "s1")
        for n in 1...3 { try await store.report(.event, message: "r\(n)") }
        let old = store.epoch
        // The hub stored up to 10 of this epoch: more than this file ever wrote.
        #expect(try await store.acknowledge(Ack(epoch: old, seq: 10)) == .renumbered(epoch: store.epoch))
        #expect(store.epoch != old)
        let pending = try await store.pending(limit: 10)
        #expect(pending.map(\.seq) == [1, 2, 3])
        let reports = pending.compactMap { StatusReport.decode($0.body) }
        #expect(reports.map(\.message) == ["r1", "r2", "r3"], "nothing pending is lost")
        #expect(reports.allSatisfy { $0.epoch == store.epoch })
        #expect(try await store.report(.event) == 4)
        #expect(try await store.inspect().ackedSequence == 0)
    }
}
