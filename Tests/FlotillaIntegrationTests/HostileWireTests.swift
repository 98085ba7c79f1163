import FlotillaAgent
import FlotillaHub
import FlotillaModel
import FlotillaWire
import FlotillaStore
import FlotillaTestSupport
import Foundation
import Testing

/// What a spoke, or anything else that reaches the broker, can send the hub: nothing of it may
/// crash the hub, touch another spoke, or grow the hub's state; every refusal is logged once,
/// naming the spoke and the field.
@Suite(.serialized)
struct HostileWireTests {
    static func fleet(_ h: FleetHarness, spokes: [String], value: String = "v1") throws {
        try h.write("inventory.yaml", spokes.map { FleetYAML.spoke($0, labels: ["site": "store"]) }.joined(separator: "\n---\n"))
        try h.write("policy.yaml", FleetYAML.policy("stores", spokeLabel: ("site", "store"), app: "web"))
        try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": value]))
    }

    static func record(_ hub: Running<Hub>, _ spoke: String) async throws -> SpokeRecord? {
        try await hub.service.store.spokes().first { $0.name == spoke }
    }

    @Test func aSpokesOwnReportsCannotCrashTheHubOrTouchAnotherSpoke() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spokes: ["store-a", "store-b"])
        let logs = LogRecorder()
        // A hub whose state file is not new: its recovery window is shut.
        let hub = try h.startHub(recoveryWindow: 0, logs: logs)
        let victim = try await h.startAgent("store-a")
        try await eventually("store-a applied generation 1") { try await Self.record(hub, "store-a")?.appliedGeneration == 1 }
        let attacker = try MQTTProbe(port: h.broker.port, clientID: "store-b")
        let status = Topics().status("store-b")
        func raw(_ json: String) -> [UInt8] { Array(json.utf8) }
        // The report that crash-looped the hub, then claims above what the hub published.
        try await attacker.publish(status, raw(#"{"epoch":"e","kind":"refused","seq":1,"storedGeneration":9223372036854775805,"time":0}"#))
        try await attacker.publish(status, raw(#"{"epoch":"e","kind":"refused","seq":2,"storedGeneration":1000,"time":0}"#))
        try await attacker.publish(status, raw(#"{"epoch":"e","generation":999,"hash":"x","kind":"applied","seq":3,"time":0}"#))
        // Keys that must be refused, not stored.
        let invalid = [
            #"{"epoch":"e","kind":"event","seq":0,"time":0}"#, #"{"epoch":"e","kind":"event","seq":-4,"time":0}"#,
            #"{"epoch":"","kind":"event","seq":5,"time":0}"#, #"{"epoch":"a/b","kind":"event","seq":6,"time":0}"#,
            #"{"epoch":"e","kind":"event","seq":9223372036854775807,"time":0}"#, #"{"epoch":"e","kind":"event","seq":"7","time":0}"#,
            #"{"epoch":"e","kind":"launch","seq":8,"time":0}"#, "not json", "",
        ]
        for payload in invalid { try await attacker.publish(status, raw(payload)) }
        let huge = #"{"epoch":"e","kind":"event","message":""# + String(repeating: "x", count: 300_000) + #"","seq":4,"time":0}"#
        try await attacker.publish(status, raw(huge))
        // Two ordinary changes afterwards: the hub must publish them to both spokes.
        try await eventually("the hub read the claims") { try await Self.record(hub, "store-b")?.reportsStored == 2 }
        for value in ["v2", "v3"] {
            try Self.fleet(h, spokes: ["store-a", "store-b"], value: value)
            try await eventually("store-a applied \(value)", timeout: 30) {
                try await Self.record(hub, "store-a")?.appliedGeneration == (value == "v2" ? 2 : 3)
            }
        }
        let b = try #require(try await Self.record(hub, "store-b"))
        #expect(b.generation == 3, "no generation was signed on the spoke's word")
        #expect(b.phase != .applied, "an applied report for a generation never published changes nothing")
        #expect(b.reportsStored == 2, "only the two reports within the protocol's bounds were stored")
        #expect(try await hub.service.store.reportCount(spoke: "store-b") == 2)
        let a = try #require(try await Self.record(hub, "store-a"))
        #expect(a.phase == .applied && a.generation == 3)
        // Every refusal is logged naming the spoke and the field, with the reason.
        for field in ["storedGeneration", "seq", "epoch", "payload", "generation", "kind"] {
            #expect(!logs.lines(containing: "spoke=store-b", "field=\(field)").isEmpty, "a log line names field \(field)")
        }
        #expect(!logs.lines(containing: "spoke=store-b", "300").filter { $0.contains("over the limit") }.isEmpty)
        await victim.stop()
        await attacker.close()
        await hub.stop()
    }

    @Test func aFloodOfOneBadReportIsLoggedOnce() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spokes: ["store-a"])
        let logs = LogRecorder()
        let hub = try h.startHub(logs: logs)
        try await eventually("hub connected") { try await hub.service.statusSnapshot().hub.brokerConnected }
        let probe = try MQTTProbe(port: h.broker.port, clientID: "store-a")
        for _ in 0..<50 { try await probe.publish(Topics().status("store-a"), Array(#"{"epoch":"e","kind":"event","seq":0,"time":0}"#.utf8)) }
        // A well-formed report after the flood shows the hub has read all of it.
        try await probe.publish(Topics().status("store-a"), StatusReport(seq: 1, epoch: "e", kind: .event, time: 0).encoded())
        try await eventually("the good report stored") { try await Self.record(hub, "store-a")?.reportsStored == 1 }
        #expect(logs.lines(containing: "spoke=store-a", "field=seq").count == 1)
        await probe.close()
        await hub.stop()
    }

    @Test func phantomSpokesCreateNothingAndGetNoAck() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spokes: ["store-a"])
        let logs = LogRecorder()
        let hub = try h.startHub(logs: logs)
        let agent = try await h.startAgent("store-a")
        try await eventually("store-a applied") { try await Self.record(hub, "store-a")?.appliedGeneration == 1 }
        let probe = try MQTTProbe(port: h.broker.port, clientID: "phantom-maker")
        try await probe.subscribe("flotilla/v1/spokes/+/ack")
        let topics = Topics()
        for i in 0..<500 {
            let name = "phantom-\(i)"
            try await probe.publish(topics.status(name), StatusReport(seq: 1, epoch: "e", kind: .event, time: 0).encoded())
            try await probe.publish(topics.presence(name), Presence(state: .online, epoch: "e", ackedSequence: 3).encoded(), retain: true)
        }
        // The real spoke keeps working meanwhile.
        try await agent.service.store.report(.event, message: "after the flood")
        try await eventually("the real spoke's report is acknowledged") { try await agent.service.store.inspect().outboxPending == 0 }
        #expect(try await hub.service.store.spokes().map(\.name) == ["store-a"])
        #expect((0..<500).allSatisfy { probe.messages(on: topics.ack("phantom-\($0)")).isEmpty })
        let lines = logs.lines(containing: "not in the inventory")
        #expect(!lines.isEmpty && lines.count <= 2, "logged, at a limited rate")
        await agent.stop()
        await probe.close()
        await hub.stop()
    }

    /// The exact sequence that lost reports: backup, more acked reports, restore, change while
    /// down, start. The restored agent writes four reports before the retained ack reaches it
    /// (started, the start-up reconcile, received, applied); with as many or fewer acked after
    /// the backup, its new reports reuse numbers the hub holds and the ack covers them.
    @Test(arguments: [2, 3, 4])
    func anAgentRestoredFromABackupLosesNoReport(moreAcked: Int) async throws {
        let h = try FleetHarness()
        let spoke = "store-r"
        try Self.fleet(h, spokes: [spoke])
        let hub = try h.startHub()
        var agent = try await h.startAgent(spoke)
        try await eventually("applied 1 and drained") {
            let i = try await agent.service.store.inspect()
            return i.appliedGeneration == 1 && i.outboxPending == 0
        }
        let backup = h.directory.appendingPathComponent("agent-backup.sqlite").path
        try agent.service.store.backup(to: backup)
        for n in 1...moreAcked { try await agent.service.store.report(.event, message: "after backup \(n)") }
        try await eventually("more reports acknowledged") { try await agent.service.store.inspect().outboxPending == 0 }
        let epochBefore = agent.service.store.epoch
        await agent.stop()
        // Restore the older copy in place of the live file.
        let live = h.agentState(of: spoke)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: live + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: live)
        try Self.fleet(h, spokes: [spoke], value: "v2")
        try await eventually("generation 2 published") { try await Self.record(hub, spoke)?.generation == 2 }
        agent = try await h.startAgent(spoke)
        try await eventually("the hub sees generation 2 applied", timeout: 30) {
            let r = try await Self.record(hub, spoke)
            return r?.phase == .applied && r?.appliedGeneration == 2
        }
        try await eventually("outbox drained", timeout: 30) { try await agent.service.store.inspect().outboxPending == 0 }
        #expect(agent.service.store.epoch != epochBefore, "the restored file numbers under a new epoch")
        // Every report the restored agent wrote reached the hub: its whole new epoch is stored.
        let inspection = try await agent.service.store.inspect()
        let stored = try await hub.service.store.reports(spoke: spoke).filter { $0.epoch == inspection.epoch }
        #expect(Set(stored.map(\.seq)) == Set(1...inspection.lastSequence))
        #expect(stored.contains { $0.kind == .applied && $0.generation == 2 })
        await agent.stop()
        await hub.stop()
    }

    /// A hub database restored from an older backup must not publish acks below the retained one.
    @Test func acksNeverGoBackwardsAfterTheHubDatabaseIsRestored() async throws {
        let h = try FleetHarness()
        let spoke = "store-q"
        try Self.fleet(h, spokes: [spoke])
        var hub = try h.startHub()
        let agent = try await h.startAgent(spoke)
        try await eventually("drained") {
            let i = try await agent.service.store.inspect()
            return i.appliedGeneration == 1 && i.outboxPending == 0
        }
        let backup = h.directory.appendingPathComponent("hub-backup.sqlite").path
        try hub.service.store.backup(to: backup)
        for n in 1...10 { try await agent.service.store.report(.event, message: "reading \(n)") }
        try await eventually("acknowledged") { try await agent.service.store.inspect().outboxPending == 0 }
        let highest = try await agent.service.store.inspect().ackedSequence
        let epoch = agent.service.store.epoch
        let probe = try MQTTProbe(port: h.broker.port, clientID: "ack-watcher")
        try await probe.subscribe(Topics().ack(spoke))
        try await eventually("retained ack seen") { !probe.messages(on: Topics().ack(spoke)).isEmpty }
        await hub.stop()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: h.hubState + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: h.hubState)
        hub = try h.startHub(recoveryWindow: 0)
        for n in 1...3 { try await agent.service.store.report(.event, message: "after restore \(n)") }
        try await eventually("acknowledged after the restore", timeout: 30) { try await agent.service.store.inspect().outboxPending == 0 }
        let acks = probe.messages(on: Topics().ack(spoke)).compactMap { Ack.decode($0.payload) }.filter { $0.epoch == epoch }.map(\.seq)
        #expect(acks.first == highest)
        #expect(acks == acks.sorted(), "acks of one epoch never go backwards: \(acks)")
        #expect(acks.last == highest + 3)
        await probe.close()
        await agent.stop()
        await hub.stop()
    }

    @Test func theHubDatabaseStopsGrowingAtASteadyFleet() async throws {
        let h = try FleetHarness()
        let spoke = "store-s"
        try Self.fleet(h, spokes: [spoke])
        let hub = try h.startHub(retainedReports: 50)
        let agent = try await h.startAgent(spoke)
        try await eventually("applied") { try await Self.record(hub, spoke)?.appliedGeneration == 1 }
        var pagesAfter: [Int] = []
        for round in 1...8 {
            for n in 1...150 { try await agent.service.store.report(.event, message: "round \(round) reading \(n) " + String(repeating: "x", count: 200)) }
            try await eventually("round \(round) acknowledged", timeout: 30) { try await agent.service.store.inspect().outboxPending == 0 }
            pagesAfter.append(try await hub.service.store.usedPages())
        }
        let record = try #require(try await Self.record(hub, spoke))
        #expect(record.reportsStored >= 8 * 150, "every report was stored once")
        #expect(try await hub.service.store.reportCount(spoke: spoke) <= 50 + 50 / 4 + 1)
        // Steady state from the third round on: the file's pages in use stop growing.
        #expect(pagesAfter[7] <= pagesAfter[2] + 2, "pages in use per round: \(pagesAfter)")
        await agent.stop()
        await hub.stop()
    }
}
