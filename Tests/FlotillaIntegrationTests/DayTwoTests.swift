import FlotillaAgent
import FlotillaHub
import FlotillaModel
import FlotillaStore
import FlotillaTestSupport
import FlotillaWire
import Foundation
import Testing

/// An operator's day two: rotating the signing key to completion, and retiring a spoke.
@Suite(.serialized)
struct DayTwoTests {
    static func fleet(_ h: FleetHarness, spokes: [String]) throws {
        try h.write("inventory.yaml", spokes.map { FleetYAML.spoke($0, labels: ["site": "store"]) }.joined(separator: "\n---\n"))
        try h.write("policy.yaml", FleetYAML.policy("stores", spokeLabel: ("site", "store"), app: "web"))
        try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": "1"]))
    }

    static func spoke(_ hub: Running<Hub>, _ name: String) async throws -> StatusSnapshot.SpokeStatus? {
        try await hub.service.statusSnapshot().spokes.first { $0.name == name }
    }

    @Test func aNewSigningKeyReSignsEveryBundleAndTheOldKeyCanGo() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spokes: ["store-k1", "store-k2"])
        let (old, new, other) = (SigningKey(), SigningKey(), SigningKey())
        var hub = try h.startHub(signingKey: old)
        var k1 = try await h.startAgent("store-k1", trustedKeys: [old.verifyingKey, new.verifyingKey])
        var k2 = try await h.startAgent("store-k2", trustedKeys: [old.verifyingKey, new.verifyingKey])
        for s in ["store-k1", "store-k2"] {
            try await eventually("\(s) applied under the old key") {
                let sp = try await Self.spoke(hub, s)
                return sp?.converged == true && sp?.keyId == old.keyID
            }
        }
        // Step 2: the hub restarts with the new key. Nothing in the source changed, yet every
        // bundle is re-signed under the next generation.
        await hub.stop()
        hub = try h.startHub(signingKey: new)
        for s in ["store-k1", "store-k2"] {
            try await eventually("\(s) applied under the new key") {
                let sp = try await Self.spoke(hub, s)
                return sp?.converged == true && sp?.keyId == new.keyID && sp?.desiredGeneration == 2
            }
        }
        // Step 3: the agents drop the old key. They still verify what they hold.
        await k1.stop()
        k1 = try await h.startAgent("store-k1", trustedKeys: [new.verifyingKey])
        let inspection = try await k1.service.store.inspect()
        #expect(inspection.storedKeyId == new.keyID)
        #expect(inspection.trustedKeyIds == [new.keyID])
        try await k1.service.store.report(.event, message: "still here")
        try await eventually("store-k1 reports drain") { try await k1.service.store.inspect().outboxPending == 0 }
        #expect(try await Self.spoke(hub, "store-k1")?.phase == .applied)
        // Dropping the key that signed the stored bundle stops drift correction: that shows as
        // Refused at the hub, never behind "Applied".
        await k2.stop()
        k2 = try await h.startAgent("store-k2", trustedKeys: [other.verifyingKey])
        try await eventually("store-k2 shows Refused") { try await Self.spoke(hub, "store-k2")?.phase == .refused }
        let reports = try await hub.service.store.reports(spoke: "store-k2").compactMap(\.message)
        #expect(reports.contains { $0.contains("drift correction stopped") }, "\(reports)")
        await k1.stop()
        await k2.stop()
        await hub.stop()
    }

    @Test func aRetiredSpokeLeavesNothingOnTheBrokerAndLeavesStatusAfterTheGrace() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spokes: ["store-r1", "store-r2"])
        let hub = try h.startHub(retiredGrace: 3)
        try await eventually("hub connected") { try await hub.service.statusSnapshot().hub.brokerConnected }
        let agent = try await h.startAgent("store-r2")
        try await eventually("store-r2 applied and acknowledged") {
            let sp = try await Self.spoke(hub, "store-r2")
            return sp?.converged == true && sp?.ackedSequence == sp?.lastSequence && sp?.online == true
        }
        try Self.fleet(h, spokes: ["store-r1"])
        try await eventually("store-r2 retired") { try await Self.spoke(hub, "store-r2")?.phase == .retired }
        // Nothing of it stays retained: bundle (Secrets), ack, presence.
        let probe = try MQTTProbe(port: h.broker.port, clientID: "retire-probe")
        let topics = Topics()
        for topic in [topics.desired("store-r2"), topics.ack("store-r2"), topics.presence("store-r2")] {
            #expect(try await probe.retained(on: topic, within: 1) == nil, "\(topic) still retained")
        }
        #expect(try await probe.retained(on: topics.desired("store-r1"), within: 5) != nil)
        // Deliberately, the agent keeps running what it applied: an edge site cut off from the
        // hub must not tear down its workloads because a message went missing.
        #expect(h.manifestFiles(of: "store-r2").contains { $0.contains("web-config") })
        // After the grace period it is gone from status.
        try await eventually("store-r2 gone from status", timeout: 20) { try await Self.spoke(hub, "store-r2") == nil }
        #expect(try await Self.spoke(hub, "store-r1") != nil)
        await probe.close()
        await agent.stop()
        await hub.stop()
    }

    @Test func theHubIsBackedUpWhileItRuns() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spokes: ["store-b1", "store-b2"])
        let hub = try h.startHub()
        try await eventually("both published") { try await hub.service.store.publications().count == 2 }
        let copy = h.directory.appendingPathComponent("hub-backup.sqlite").path
        let run = try await CommandRun.flotilla(["hub", "backup", "--state", h.hubState, "--out", copy])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("2 spokes"), "\(run.output)")
        let restored = try HubStore(path: copy)
        #expect(try await restored.spokes().map(\.name) == ["store-b1", "store-b2"])
        #expect(try await restored.publications().map(\.generation) == [1, 1])
        // A second run refuses to overwrite the copy.
        let again = try await CommandRun.flotilla(["hub", "backup", "--state", h.hubState, "--out", copy])
        #expect(again.status != 0 && again.output.contains("exists"))
        #expect(!again.output.contains("USAGE"), "a runtime failure prints no usage text")
        await hub.stop()
    }

    @Test func anAgentRefusesToStartWithAnotherSpokesCertificate() async throws {
        let h = try FleetHarness(tlsSpokes: ["store-c1", "store-c2"])
        let config = AgentConfiguration(
            name: "store-c1", mqtt: h.mqtt(clientID: "store-c1", username: "store-c2"), statePath: h.agentState(of: "store-c1"),
            applier: DirApplier(directory: h.manifests(of: "store-c1")))
        do {
            _ = try await Agent(configuration: config)
            Issue.record("an agent started with store-c2's certificate under --name store-c1")
        } catch let error as AgentError {
            #expect("\(error)".contains("store-c2") && "\(error)".contains("store-c1"), "\(error)")
        }
        // Its own certificate is fine.
        let own = AgentConfiguration(
            name: "store-c1", mqtt: h.mqtt(clientID: "store-c1", username: "store-c1"), statePath: h.agentState(of: "store-c1"),
            applier: DirApplier(directory: h.manifests(of: "store-c1")))
        _ = try await Agent(configuration: own)
    }
}
