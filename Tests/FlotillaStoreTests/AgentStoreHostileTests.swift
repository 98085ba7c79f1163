import FlotillaModel
import FlotillaWire
import FlotillaStore
import Foundation
import Testing

/// Acks that show the hub holds a history this file did not write, oversize reports, and
/// reading a busy state file.
struct AgentStoreHostileTests {
    @Test func aCollisionNoticeRenumbersEverythingPendingAndDeletesNothing() async throws {
        let store = try AgentStore(path: AgentStoreTests.tempPath(), spoke: "s1")
        for n in 1...4 { try await store.report(.event, message: "r\(n)") }
        let old = store.epoch
        // The ack covers seq 3, but the hub says some of these keys collided: nothing may go.
        #expect(try await store.acknowledge(Ack(epoch: old, seq: 3, newEpoch: true)) == .renumbered(epoch: store.epoch))
        #expect(store.epoch != old)
        let reports = try await store.pending(limit: 10).compactMap { StatusReport.decode($0.body) }
        #expect(reports.map(\.message) == ["r1", "r2", "r3", "r4"])
        #expect(reports.map(\.seq) == [1, 2, 3, 4])
    }

    @Test func anAckWhoseDigestDiffersFromTheLocalReportStartsANewEpoch() async throws {
        let store = try AgentStore(path: AgentStoreTests.tempPath(), spoke: "s1")
        for n in 1...3 { try await store.report(.event, message: "r\(n)") }
        let old = store.epoch
        let mine = try #require(try await store.pending(limit: 10).last)
        // The hub's report at seq 3 is not this file's: the retained ack is about another history.
        #expect(try await store.acknowledge(Ack(epoch: old, seq: 3, hash: String(repeating: "0", count: 64))) == .renumbered(epoch: store.epoch))
        #expect(store.epoch != old)
        #expect(try await store.pending(limit: 10).count == 3)
        // With the matching digest the same ack deletes as usual.
        let fresh = try AgentStore(path: AgentStoreTests.tempPath(), spoke: "s1")
        for n in 1...3 { try await fresh.report(.event, message: "r\(n)") }
        let body = try #require(try await fresh.pending(limit: 10).last?.body)
        #expect(try await fresh.acknowledge(Ack(epoch: fresh.epoch, seq: 3, hash: StatusReport.digest(of: body))) == .deleted(3))
        #expect(mine.seq == 3)
    }

    @Test func aReportForAHugeBundleIsCutToFitAndSaysSo() async throws {
        let store = try AgentStore(path: AgentStoreTests.tempPath(), spoke: "s1")
        let long = String(repeating: "m", count: 300)
        let objects = (0..<2_000).map { i in
            ObjectStatus(
                ref: ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "ns", name: "object-\(i)"),
                state: i == 1_999 ? .failed : .applied, message: i == 1_999 ? "boom" : long)
        }
        try await store.recordApply(generation: 1, hash: "h", ok: false, message: "some objects failed", objects: objects)
        let body = try #require(try await store.pending(limit: 10).last?.body)
        #expect(body.count <= StatusReport.agentMaxBytes)
        let report = try StatusReport.parse(body)
        #expect(report.objects?.first?.message == "boom", "failed objects are kept first")
        #expect(report.objects?.count ?? 0 > 100)
        #expect(report.message?.contains("objects omitted to fit the report limit") == true)
    }

    @Test func inspectAnswersWhileTheAgentWrites() async throws {
        let path = AgentStoreTests.tempPath()
        let store = try AgentStore(path: path, spoke: "s1")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for n in 1...400 { try await store.report(.event, message: String(repeating: "x", count: n)) }
            }
            var answers = 0
            for _ in 0..<40 {
                let i = try await AgentStore.inspect(path: path)
                #expect(i.spoke == "s1")
                answers += 1
            }
            try await group.waitForAll()
            #expect(answers == 40)
        }
        #expect(try await AgentStore.inspect(path: path).lastSequence == 400)
    }
}
