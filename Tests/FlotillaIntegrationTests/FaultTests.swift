import FlotillaAgent
import FlotillaHub
import FlotillaModel
import FlotillaWire
import FlotillaStore
import FlotillaTestSupport
import Foundation
import Testing

/// SIGKILL the broker, the hub or the agent in the middle of work and count: every report the
/// agent wrote is stored by the hub exactly once, and every duplicate is absorbed.
@Suite(.serialized)
struct FaultTests {
    static func fleet(_ h: FleetHarness, spoke: String, value: String = "v1") throws {
        try h.write("inventory.yaml", FleetYAML.spoke(spoke, labels: ["site": "store"]))
        try h.write("policy.yaml", FleetYAML.policy("stores", spokeLabel: ("site", "store"), app: "web"))
        try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": value]))
    }

    @Test func reportsSurviveABrokerKilledBetweenPubackAndHubStorage() async throws {
        let h = try FleetHarness(persistence: false)
        let spoke = "store-k"
        try Self.fleet(h, spoke: spoke)
        var hub = try h.startHub()
        let agent = try await h.startAgent(spoke)
        try await eventually("converged and drained") {
            let i = try await agent.service.store.inspect()
            return i.appliedGeneration == 1 && i.outboxPending == 0
        }
        // With the hub away, the broker holds the hub's session and queues the reports for it.
        await hub.stop()
        let pubackedBefore = await agent.service.pubacked
        let extra = 300
        for i in 1...extra { try await agent.service.store.report(.event, message: "reading \(i)") }
        try await eventually("the broker PUBACKed every report") {
            await agent.service.pubacked >= pubackedBefore + extra
        }
        let storedBefore = try await hub.service.store.reportCount(spoke: spoke)
        // The broker has every report; the hub has none of them. Kill it: no persistence, all lost.
        h.broker.kill()
        try h.broker.start()
        hub = try h.startHub()
        try await eventually("outbox drained through the end-to-end ack", timeout: 60) {
            try await agent.service.store.inspect().outboxPending == 0
        }
        let inspection = try await agent.service.store.inspect()
        let stored = try await hub.service.store.reportCount(spoke: spoke)
        let record = try #require(try await hub.service.store.spokes().first { $0.name == spoke })
        #expect(stored >= storedBefore + extra)
        #expect(Int64(stored) == inspection.lastSequence, "every sequence number 1…last stored exactly once")
        #expect(record.reportsStored == inspection.lastSequence)
        #expect(record.ackedSeq == inspection.lastSequence)
        await agent.stop()
        await hub.stop()
    }

    @Test func replayedAndOutOfOrderReportsAreAbsorbed() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spoke: "store-m")
        let hub = try h.startHub()
        // Raw reports are not resent like an agent's: wait until the hub's subscription exists.
        try await eventually("hub connected") { try await hub.service.statusSnapshot().hub.brokerConnected }
        // Reports of a spoke in the inventory that runs no agent: the probe speaks for it.
        let probe = try MQTTProbe(port: h.broker.port, clientID: "probe-status")
        let topics = Topics()
        try await probe.subscribe(topics.ack("store-m"))
        func report(_ seq: Int64) -> [UInt8] {
            StatusReport(seq: seq, epoch: "e1", kind: .event, message: "n\(seq)", time: 0).encoded()
        }
        // 1, 2, then 4: the watermark stops at 2 until 3 arrives.
        for seq: Int64 in [1, 2, 4] { try await probe.publish(topics.status("store-m"), report(seq)) }
        try await eventually("three stored") { try await hub.service.store.reportCount(spoke: "store-m") == 3 }
        var record = try #require(try await hub.service.store.spokes().first { $0.name == "store-m" })
        #expect(record.ackedSeq == 2)
        // Duplicates of 1 and 4 change nothing but the duplicate count.
        for seq: Int64 in [1, 4] { try await probe.publish(topics.status("store-m"), report(seq)) }
        try await eventually("two duplicates absorbed") {
            try await hub.service.store.spokes().first { $0.name == "store-m" }?.duplicates == 2
        }
        #expect(try await hub.service.store.reportCount(spoke: "store-m") == 3)
        try await probe.publish(topics.status("store-m"), report(3))
        try await eventually("watermark jumps to 4") {
            try await hub.service.store.spokes().first { $0.name == "store-m" }?.ackedSeq == 4
        }
        record = try #require(try await hub.service.store.spokes().first { $0.name == "store-m" })
        #expect(record.reportsStored == 4)
        // The retained ack carries the contiguous watermark.
        try await eventually("ack 4 published") {
            probe.messages(on: topics.ack("store-m")).compactMap { Ack.decode($0.payload) }.contains { $0.epoch == "e1" && $0.seq == 4 }
        }
        // Garbage on the status topic is ignored, not stored.
        try await probe.publish(topics.status("store-m"), Array("not json".utf8))
        try await probe.publish(topics.status("store-m"), report(5))
        try await eventually("report 5 stored after the garbage") { try await hub.service.store.reportCount(spoke: "store-m") == 5 }
        #expect(try await hub.service.store.spokes().first { $0.name == "store-m" }?.reportsStored == 5)
        await probe.close()
        await hub.stop()
    }

    @Test func hubAndAgentProcessesKilledMidWorkLoseNoReport() async throws {
        let h = try FleetHarness()
        let spoke = "store-n"
        try Self.fleet(h, spoke: spoke)
        let httpPort = try FreePort.find()
        func startHub() throws -> ChildProcess {
            try h.spawn(
                "hub", ["hub", "run", "--source", h.source.path, "--broker", h.broker.url, "--state", h.hubState,
                        "--http", "127.0.0.1:\(httpPort)", "--poll", "0.1", "--log-level", "debug"])
        }
        func startAgent() throws -> ChildProcess {
            try h.spawn(
                "agent", ["agent", "run", "--name", spoke, "--broker", h.broker.url, "--state", h.agentState(of: spoke),
                          "--applier", "dir:\(h.manifests(of: spoke))", "--resend-interval", "1", "--log-level", "debug"])
        }
        var hub = try startHub()
        var agent = try startAgent()
        let hubStore = try HubStore(path: h.hubState)
        func generation() async throws -> Int64 { try await hubStore.spokes().first { $0.name == spoke }?.generation ?? 0 }
        try await eventually("first bundle published") { try await generation() >= 1 }
        for round in 1...12 {
            try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": "v\(round + 1)"]))
            if round == 4 {
                hub.kill()
                hub = try startHub()
            }
            if round == 8 {
                agent.kill()
                agent = try startAgent()
            }
            if round == 10 {
                hub.kill()
                agent.kill()
                hub = try startHub()
                agent = try startAgent()
            }
            try await eventually("round \(round) published") { try await generation() >= Int64(round + 1) }
        }
        let finalGeneration = try await generation()
        let agentStore = try AgentStore(path: h.agentState(of: spoke), spoke: spoke)
        try await eventually("agent converged and its outbox drained", timeout: 90) {
            let i = try await agentStore.inspect()
            return i.appliedGeneration == finalGeneration && i.outboxPending == 0
        }
        let inspection = try await agentStore.inspect()
        let stored = try await hubStore.reportCount(spoke: spoke)
        let record = try #require(try await hubStore.spokes().first { $0.name == spoke })
        #expect(Int64(stored) == inspection.lastSequence, "hub stored \(stored), agent wrote \(inspection.lastSequence)")
        #expect(record.reportsStored == inspection.lastSequence)
        #expect(record.ackedSeq == inspection.lastSequence)
        let text = try String(contentsOfFile: h.manifests(of: spoke) + "/flotilla--default--configmap--web-config.yaml", encoding: .utf8)
        #expect(text.contains("value: v13"))
        // A graceful stop: SIGTERM ends both with status 0.
        #expect(agent.terminate() == 0, "agent log:\n\(agent.output.suffix(2000))")
        #expect(hub.terminate() == 0, "hub log:\n\(hub.output.suffix(2000))")
    }

    @Test func aKilledAgentIsMarkedOfflineByItsLastWill() async throws {
        let h = try FleetHarness()
        let spoke = "store-w"
        try Self.fleet(h, spoke: spoke)
        let hub = try h.startHub()
        let agent = try h.spawn(
            "agent-will", ["agent", "run", "--name", spoke, "--broker", h.broker.url, "--state", h.agentState(of: spoke),
                           "--applier", "dir:\(h.manifests(of: spoke))", "--keepalive", "5"])
        func online() async throws -> Bool? { try await hub.service.store.spokes().first { $0.name == spoke }?.online }
        try await eventually("online") { try await online() == true }
        agent.kill()
        // No DISCONNECT was sent: only the broker's will, after 1.5 keepalives (7.5 s), can say offline.
        try await eventually("offline through the will", timeout: 20) { try await online() == false }
        await hub.stop()
    }
}
