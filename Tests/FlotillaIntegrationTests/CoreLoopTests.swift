import FlotillaAgent
import FlotillaHub
import FlotillaModel
import FlotillaWire
import FlotillaStore
import FlotillaTestSupport
import Foundation
import Testing

/// The spine: hub → mosquitto → agents → status back, against a real broker.
@Suite(.serialized)
struct CoreLoopTests {
    static func fleet(_ h: FleetHarness, spokes: [String], value: String = "v1") throws {
        try h.write("inventory.yaml", FleetYAML.documents(spokes.map { FleetYAML.spoke($0, labels: ["site": "store"]) }.joined(separator: "\n---\n")))
        try h.write("policy.yaml", FleetYAML.policy("stores", spokeLabel: ("site", "store"), app: "web"))
        try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": value]))
    }

    @Test func spokeThatConnectsLateGetsTheRetainedBundle() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spokes: ["store-a"])
        let hub = try h.startHub()
        try await eventually("hub published generation 1") {
            try await hub.service.store.spokes().first { $0.name == "store-a" }?.generation == 1
        }
        // The agent starts only now: the bundle must come from the retained message.
        let agent = try await h.startAgent("store-a")
        try await eventually("agent applied generation 1") {
            try await agent.service.store.inspect().appliedGeneration == 1
        }
        #expect(h.manifestFiles(of: "store-a") == ["flotilla--default--configmap--web-config.yaml"])
        let text = try String(contentsOfFile: h.manifests(of: "store-a") + "/flotilla--default--configmap--web-config.yaml", encoding: .utf8)
        #expect(text.contains("value: v1"))
        try await eventually("hub saw the apply") {
            let s = try await hub.service.statusSnapshot().spokes.first { $0.name == "store-a" }
            return s?.phase == .applied && s?.appliedGeneration == 1 && s?.online == true
        }
        await agent.stop()
        await hub.stop()
    }

    @Test func spokeOfflineDuringThreeChangesEndsOnTheNewest() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spokes: ["store-b"])
        let hub = try h.startHub()
        var agent = try await h.startAgent("store-b")
        try await eventually("first apply") { try await agent.service.store.inspect().appliedGeneration == 1 }
        await agent.stop()
        for (i, v) in ["v2", "v3", "v4"].enumerated() {
            try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": v]))
            try await eventually("hub published generation \(i + 2)") {
                try await hub.service.store.spokes().first { $0.name == "store-b" }?.generation == Int64(i + 2)
            }
        }
        agent = try await h.startAgent("store-b")
        try await eventually("agent on the newest generation") { try await agent.service.store.inspect().appliedGeneration == 4 }
        let text = try String(contentsOfFile: h.manifests(of: "store-b") + "/flotilla--default--configmap--web-config.yaml", encoding: .utf8)
        #expect(text.contains("value: v4"))
        // Intermediate generations were skipped: one received report for generation 4 only.
        await agent.stop()
        await hub.stop()
    }

    /// Five changes in quick succession while the agent runs: once its reports are
    /// acknowledged, what `agent inspect` says is applied is what the hub says is applied.
    @Test func agentInspectAndTheHubAgreeOnceReportsAreAcknowledged() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spokes: ["store-g"])
        let hub = try h.startHub()
        let agent = try await h.startAgent("store-g")
        try await eventually("first apply") { try await agent.service.store.inspect().appliedGeneration == 1 }
        for v in 2...6 {
            try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": "v\(v)"]))
            try await Task.sleep(for: .milliseconds(150))
        }
        try await eventually("the hub published the last change") {
            try await hub.service.store.spokes().first { $0.name == "store-g" }?.generation ?? 0 >= 2
        }
        try await eventually("applied the newest and every report acknowledged", timeout: 30) {
            let inspection = try await agent.service.store.inspect()
            let published = try await hub.service.store.spokes().first { $0.name == "store-g" }?.generation
            return inspection.outboxPending == 0 && inspection.appliedGeneration == published
        }
        let inspection = try await agent.service.store.inspect()
        let record = try #require(try await hub.service.store.spokes().first { $0.name == "store-g" })
        #expect(record.appliedGeneration == inspection.appliedGeneration)
        #expect(record.phase == .applied)
        #expect(record.ackedSeq == inspection.lastSequence, "every report the agent wrote is stored and acknowledged")
        await agent.stop()
        await hub.stop()
    }

    @Test func agentRestartedWithBrokerDownReappliesItsStoredBundle() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spokes: ["store-c"])
        let hub = try h.startHub()
        var agent = try await h.startAgent("store-c")
        try await eventually("first apply") { try await agent.service.store.inspect().appliedGeneration == 1 }
        await agent.stop()
        await hub.stop()
        h.broker.stop()
        try FileManager.default.removeItem(atPath: h.manifests(of: "store-c"))
        #expect(h.manifestFiles(of: "store-c").isEmpty)
        agent = try await h.startAgent("store-c")
        try await eventually("stored bundle re-applied without a broker") {
            h.manifestFiles(of: "store-c") == ["flotilla--default--configmap--web-config.yaml"]
        }
        await agent.stop()
    }

    @Test func hubRestartKeepsGenerationsGrowing() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spokes: ["store-d"])
        var hub = try h.startHub()
        try await eventually("generation 1") { try await hub.service.store.spokes().first?.generation == 1 }
        try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": "v2"]))
        try await eventually("generation 2") { try await hub.service.store.spokes().first?.generation == 2 }
        await hub.stop()
        try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": "v3"]))
        hub = try h.startHub()
        try await eventually("generation 3 after restart") { try await hub.service.store.spokes().first?.generation == 3 }
        // And the agent that arrives now applies generation 3, not an older one.
        let agent = try await h.startAgent("store-d")
        try await eventually("agent applied 3") { try await agent.service.store.inspect().appliedGeneration == 3 }
        await agent.stop()
        await hub.stop()
    }

    @Test func badSourceKeepsTheLastGoodPlanLive() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spokes: ["store-e"])
        let hub = try h.startHub()
        let agent = try await h.startAgent("store-e")
        try await eventually("first apply") { try await agent.service.store.inspect().appliedGeneration == 1 }
        try h.write("broken.yaml", "apiVersion: control.kubestellar.io/v1alpha1\nkind: BindingPolicy\nmetadata:\n  name: broken\nspec:\n  clusterSelectors:\n  - matchExpressions:\n    - key: site\n      operator: Inn\n      values: [store]\n")
        try await eventually("hub reports the source error") { await hub.service.sourceError != nil }
        let error = try #require(await hub.service.sourceError)
        #expect(error.contains("broken.yaml:1"))
        #expect(error.contains("BindingPolicy/broken"))
        #expect(error.contains("spec.clusterSelectors[0].matchExpressions[0].operator"))
        #expect(error.contains("Inn"))
        let record = try await hub.service.store.spokes().first { $0.name == "store-e" }
        #expect(record?.generation == 1)
        #expect(try await agent.service.store.inspect().appliedGeneration == 1)
        #expect(h.manifestFiles(of: "store-e") == ["flotilla--default--configmap--web-config.yaml"])
        await agent.stop()
        await hub.stop()
    }

    @Test func spokeLeavingTheInventoryHasItsRetainedBundleCleared() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spokes: ["store-f", "store-g"])
        let hub = try h.startHub()
        try await eventually("both published") { try await hub.service.store.publications().count == 2 }
        try Self.fleet(h, spokes: ["store-f"])
        try await eventually("store-g retired") {
            try await hub.service.store.spokes().first { $0.name == "store-g" }?.inInventory == false
        }
        // A newcomer subscribing to store-g's desired topic gets no retained bundle.
        let probe = try MQTTProbe(port: h.broker.port, clientID: "probe-g")
        let retained = try await probe.retained(on: Topics().desired("store-g"), within: 2)
        #expect(retained == nil)
        let kept = try await probe.retained(on: Topics().desired("store-f"), within: 5)
        #expect(kept != nil)
        await probe.close()
        await hub.stop()
    }

    @Test func hubThatLostItsDatabaseCatchesUpWithItsAgents() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spokes: ["store-r"])
        var hub = try h.startHub()
        let agent = try await h.startAgent("store-r")
        // One change at a time, after the first load: the hub's poll could fold them into one.
        try await eventually("generation 1 published") { try await hub.service.store.spokes().first?.generation == 1 }
        for (generation, v) in [(2, "v2"), (3, "v3")] {
            try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": v]))
            try await eventually("generation \(generation) published") { try await hub.service.store.spokes().first?.generation == Int64(generation) }
        }
        try await eventually("agent on generation 2 or 3, outbox drained") {
            let i = try await agent.service.store.inspect()
            let published = try await hub.service.store.spokes().first?.generation
            return (i.appliedGeneration ?? 0) >= 2 && i.outboxPending == 0 && published == i.appliedGeneration
        }
        let held = try #require(try await agent.service.store.inspect().appliedGeneration)
        await hub.stop()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: h.hubState + suffix) }
        try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": "v4"]))
        // A new hub database starts at generation 1, which the agent refuses as stale…
        hub = try h.startHub()
        // …and reports what it holds, so the hub re-issues its bundle above it.
        try await eventually("agent applies the re-issued bundle", timeout: 60) {
            let i = try await agent.service.store.inspect()
            return (i.appliedGeneration ?? 0) > held
        }
        let text = try String(contentsOfFile: h.manifests(of: "store-r") + "/flotilla--default--configmap--web-config.yaml", encoding: .utf8)
        #expect(text.contains("value: v4"))
        // The agent's presence tells the new hub where the old one's watermark was: the outbox drains.
        try await eventually("outbox drained against the new hub", timeout: 60) {
            try await agent.service.store.inspect().outboxPending == 0
        }
        let record = try #require(try await hub.service.store.spokes().first { $0.name == "store-r" })
        let last = try await agent.service.store.inspect().lastSequence
        #expect(record.ackedSeq == last)
        await agent.stop()
        await hub.stop()
    }
}
