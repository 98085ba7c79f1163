import FlotillaHub
import FlotillaModel
import FlotillaSim
import FlotillaStore
import FlotillaTestSupport
import FlotillaWire
import Foundation
import Testing

/// `FleetSimulator` against a real mosquitto and a real hub: every simulated spoke applies what
/// the hub signs, the hub sees it, and through a flap no report is lost and every duplicate is
/// absorbed. Counts, not timings.
@Suite(.serialized)
struct FleetSimulatorTests {
    static func fleet(_ h: FleetHarness, spokes: [String], value: String) throws {
        try h.write("inventory.yaml", spokes.map { FleetYAML.spoke($0, labels: ["site": "store"]) }.joined(separator: "\n---\n"))
        try h.write("policy.yaml", FleetYAML.policy("stores", spokeLabel: ("site", "store"), app: "web"))
        try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": value]))
    }

    static func simulator(_ h: FleetHarness, spokes: [String], key: SigningKey) throws -> FleetSimulator {
        try FleetSimulator(
            configuration: FleetSimulatorConfiguration(
                spokes: spokes, mqtt: h.mqtt(clientID: "sim"), trustedKeys: [key.verifyingKey], resendInterval: 2, connectRate: 0),
            logger: h.logger)
    }

    /// Every spoke's records at the hub, in the inventory.
    static func records(_ hub: Running<Hub>) async throws -> [SpokeRecord] {
        try await hub.service.store.spokes().filter(\.inInventory)
    }

    @Test(.timeLimit(.minutes(5)))
    func fiftySpokesApplyEachGenerationAndLoseNoReportThroughAFlap() async throws {
        let h = try FleetHarness()
        let names = FleetSimulatorConfiguration.spokeNames(prefix: "store-", count: 50)
        try Self.fleet(h, spokes: names, value: "v1")
        let key = SigningKey()
        let sim = try Self.simulator(h, spokes: names, key: key)
        // The spokes first: reports sent before the hub subscribes find nobody, and come back
        // when the acks stall (as an agent's do).
        sim.start()
        let hub = try h.startHub(signingKey: key)

        for generation in Int64(1)...2 {
            if generation > 1 { try Self.fleet(h, spokes: names, value: "v\(generation)") }
            try await sim.waitUntil("every spoke applied generation \(generation)", timeout: .seconds(120)) {
                $0.spokesApplied(atLeast: generation) == names.count
            }
            #expect(names.allSatisfy { sim.appliedGeneration(of: $0) == generation })
            try await eventually("the hub saw every spoke apply generation \(generation)", timeout: 120) {
                let records = try await Self.records(hub)
                return records.count == names.count && records.allSatisfy { $0.phase == .applied && $0.appliedGeneration == generation }
            }
        }
        let settled = sim.snapshot()
        #expect(settled.bundlesRefused == 0, "\(settled.summary)")
        #expect(settled.applies == 2 * names.count, "\(settled.summary)")

        // A fifth of the spokes lose their connection while generation 3 goes out: the broker
        // sends their wills, they come back, and resend what the hub had not acknowledged.
        let watcher = try MQTTProbe(port: h.broker.port, clientID: "presence-watcher")
        try await watcher.subscribe(Topics().allPresence)
        try await eventually("the watcher has every retained presence", timeout: 30) {
            Set(watcher.log.messages.withLock { $0.map(\.topic) }).count == names.count
        }
        try Self.fleet(h, spokes: names, value: "v3")
        let dropped = sim.flap(fraction: 0.2)
        #expect(dropped == 10)
        let final = try await sim.waitUntil("every spoke reconnected, applied generation 3, and had every report acknowledged", timeout: .seconds(180)) {
            $0.connected == names.count && $0.connects == names.count + dropped && $0.spokesApplied(atLeast: 3) == names.count
                && $0.reportsPending == 0
        }
        #expect(final.flaps == dropped)
        #expect(final.disconnects == dropped)
        let offline = watcher.log.messages.withLock { messages in
            Set(messages.filter { !$0.retained && Presence.decode($0.payload)?.state == .offline }.map(\.topic))
        }
        #expect(offline.count == dropped, "the broker sent the will of every dropped spoke, and only theirs")
        try await eventually("the hub saw every spoke online and on generation 3", timeout: 120) {
            let records = try await Self.records(hub)
            return records.allSatisfy { $0.online && $0.phase == .applied && $0.appliedGeneration == 3 }
        }

        // No report lost, every duplicate absorbed: the hub holds exactly the distinct reports sent.
        var rows = 0
        var stored: Int64 = 0
        for name in names {
            rows += try await hub.service.store.reportCount(spoke: name)
            stored += try await hub.service.store.spokeCounters(name).stored
        }
        #expect(final.reportsSent - final.resends == final.reportsWritten, "\(final.summary)")
        #expect(rows == final.reportsSent - final.resends, "\(final.summary)")
        #expect(stored == Int64(rows))
        // A start event, then received and applied for each of three generations.
        #expect(final.reportsWritten == names.count * 7, "\(final.summary)")
        #expect(final.reportsAcked == final.reportsWritten)

        await watcher.close()
        await sim.stop()
        #expect(sim.snapshot().connected == 0)
        await hub.stop()
    }

    @Test(.timeLimit(.minutes(3)))
    func forgedAndReplayedBundlesAreRefusedAndReportedOnceLikeTheAgentDoes() async throws {
        let h = try FleetHarness()
        let names = FleetSimulatorConfiguration.spokeNames(prefix: "store-", count: 3)
        let target = names[0]
        try Self.fleet(h, spokes: names, value: "v1")
        let key = SigningKey()
        let sim = try Self.simulator(h, spokes: names, key: key)
        sim.start()
        let hub = try h.startHub(signingKey: key)
        try await sim.waitUntil("every spoke applied generation 1", timeout: .seconds(60)) { $0.spokesApplied(atLeast: 1) == names.count }
        let generation1 = try #require(try await hub.service.store.publications().first { $0.spoke == target })
        let attacker = try MQTTProbe(port: h.broker.port, clientID: "attacker")

        // Signed by a key the spokes do not trust, twice: refused both times, reported once.
        let evil = SpokeBundle(items: [
            .init(
                ref: ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "evil"),
                object: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "evil", "namespace": "default"]])
        ]).payload
        let forged = try Envelope(spoke: target, generation: 100, payload: evil).encode(signingWith: SigningKey())
        for _ in 0..<2 { try await attacker.publish(Topics().desired(target), forged) }
        try await sim.waitUntil("both forged bundles refused", timeout: .seconds(30)) { $0.bundlesRefused == 2 }
        #expect(sim.appliedGeneration(of: target) == 1)
        try await eventually("the hub stored the refusal", timeout: 60) {
            try await hub.service.store.spokes().first { $0.name == target }?.lastError?.contains("untrusted signer") == true
        }
        try await sim.waitUntil("every report acknowledged", timeout: .seconds(60)) { $0.reportsPending == 0 }
        let refusals = try await hub.service.store.reports(spoke: target).filter { $0.kind == .refused }
        #expect(refusals.count == 1, "the same refusal is reported once")
        #expect(refusals.first?.message?.hasPrefix("refused bundle: untrusted signer: key ") == true, "\(refusals)")
        #expect(refusals.first?.generation == nil)

        // The genuine generation 1 again after generation 2: a replay, refused with the generation held.
        try Self.fleet(h, spokes: names, value: "v2")
        try await sim.waitUntil("every spoke applied generation 2", timeout: .seconds(60)) { $0.spokesApplied(atLeast: 2) == names.count }
        try await attacker.publish(Topics().desired(target), generation1.envelope)
        try await eventually("the hub stored the replay's refusal", timeout: 60) {
            try await hub.service.store.reports(spoke: target).contains { $0.kind == .refused && $0.storedGeneration == 2 }
        }
        let replay = try #require(try await hub.service.store.reports(spoke: target).first { $0.storedGeneration == 2 })
        #expect(replay.generation == 1)
        #expect(replay.message?.contains("generation 1 is older than stored generation 2") == true)
        #expect(sim.appliedGeneration(of: target) == 2)
        #expect(sim.snapshot().bundlesRefused == 3)

        await attacker.close()
        await sim.stop()
        await hub.stop()
    }
}
