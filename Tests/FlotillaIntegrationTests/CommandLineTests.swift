import FlotillaModel
import FlotillaTestSupport
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The command-line contract that scripts depend on, run as real processes.
@Suite(.serialized)
struct CommandLineTests {
    static func run(_ h: FleetHarness, _ name: String, _ args: [String]) throws -> (code: Int32, output: String) {
        let p = try h.spawn(name, args)
        let code = p.waitForExit()
        return (code, p.output)
    }

    static func json(_ text: String) throws -> [String: Any] {
        let start = try #require(text.firstIndex(of: "{"))
        let obj = try JSONSerialization.jsonObject(with: Data(text[start...].utf8))
        return try #require(obj as? [String: Any])
    }

    @Test func hubAgentStatusInspectAndPlanSpeakTheContract() async throws {
        let h = try FleetHarness()
        try h.write("inventory.yaml", FleetYAML.documents(FleetYAML.spoke("store-x", labels: ["site": "store"]), FleetYAML.spoke("store-y", labels: ["site": "store"])))
        try h.write("policy.yaml", FleetYAML.policy("stores", spokeLabel: ("site", "store"), app: "web"))
        try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": "1"]))

        let plan = try Self.run(h, "plan", ["plan", "--source", h.source.path, "-o", "json"])
        #expect(plan.code == 0)
        let planSpokes = try #require(try Self.json(plan.output)["spokes"] as? [String: [[String: Any]]])
        #expect(planSpokes.keys.sorted() == ["store-x", "store-y"])
        let placed = try #require(planSpokes["store-x"]?.first)
        #expect(placed["kind"] as? String == "ConfigMap")
        #expect(placed["name"] as? String == "web-config")
        #expect(placed["policies"] as? [String] == ["stores"])

        let http = "127.0.0.1:\(try FreePort.find())"
        let keys = h.directory.appendingPathComponent("keys").path
        #expect(try Self.run(h, "keygen", ["keygen", "--out", keys]).code == 0)
        let hub = try h.spawn(
            "hub", ["hub", "run", "--source", h.source.path, "--broker", h.broker.url, "--state", h.hubState, "--http", http,
                    "--signing-key", keys + "/hub.key", "--poll", "0.2"])
        var agents: [ChildProcess] = []
        for s in ["store-x", "store-y"] {
            agents.append(try h.spawn(
                "agent-\(s)", ["agent", "run", "--name", s, "--broker", h.broker.url, "--state", h.agentState(of: s),
                               "--applier", "dir:\(h.manifests(of: s))", "--hub-key", keys + "/hub.pub"]))
        }
        let waited = try Self.run(h, "status-wait", ["status", "--hub", "http://\(http)", "--wait", "60"])
        #expect(waited.code == 0, "\(waited.output)\nhub:\n\(hub.output.suffix(3000))")
        #expect(waited.output.contains("store-x") && waited.output.contains("Applied"))

        let status = try Self.json(try Self.run(h, "status-json", ["status", "--hub", "http://\(http)", "-o", "json"]).output)
        let spokes = try #require(status["spokes"] as? [[String: Any]])
        #expect(spokes.count == 2)
        for s in spokes {
            for key in ["name", "online", "lastSeen", "desiredGeneration", "appliedGeneration", "phase", "reportsReceived", "lastSequence"] {
                #expect(s[key] != nil, "spoke field \(key) missing")
            }
            #expect(s["online"] as? Bool == true)
            #expect(s["phase"] as? String == "Applied")
        }
        // -o yaml is the same tree in YAML.
        let yaml = try Self.run(h, "status-yaml", ["status", "--hub", "http://\(http)", "-o", "yaml"])
        #expect(yaml.code == 0)
        #expect(yaml.output.contains("spokes:") && yaml.output.contains("name: store-x") && yaml.output.contains("phase: Applied"), "\(yaml.output)")
        let wide = try Self.run(h, "status-wide", ["status", "--hub", "http://\(http)", "-o", "wide"])
        #expect(wide.code == 0 && wide.output.contains("KEY") && wide.output.contains("AGENT"), "\(wide.output)")
        let workloads = try #require(status["workloads"] as? [[String: Any]])
        let web = try #require(workloads.first { $0["name"] as? String == "web-config" })
        #expect(web["apiVersion"] as? String == "v1")
        #expect(web["namespace"] as? String == "default")
        #expect(web["spokes"] as? [String: Int] == ["desired": 2, "applied": 2, "failed": 0])

        // Prometheus sees the fleet.
        try await eventually("metrics show the fleet", timeout: 20) {
            let (data, _) = try await URLSession.shared.data(from: URL(string: "http://\(http)/metrics")!)
            let text = String(decoding: data, as: UTF8.self)
            return text.contains("flotilla_hub_reports_stored_total") && text.contains("flotilla_hub_spokes_online 2")
        }

        // A graceful stop publishes offline presence; SIGTERM ends with status 0.
        #expect(agents[0].terminate() == 0, "\(agents[0].output.suffix(2000))")
        let inspect = try Self.json(try Self.run(h, "inspect", ["agent", "inspect", "--state", h.agentState(of: "store-x"), "-o", "json"]).output)
        #expect(inspect["appliedGeneration"] as? Int == 1)
        #expect((inspect["lastSequence"] as? Int ?? 0) >= 3)
        #expect(inspect["outboxPending"] as? Int != nil)
        let inspectYAML = try Self.run(h, "inspect-yaml", ["agent", "inspect", "--state", h.agentState(of: "store-x"), "-o", "yaml"])
        #expect(inspectYAML.output.contains("spoke: store-x") && inspectYAML.output.contains("appliedGeneration: 1"), "\(inspectYAML.output)")
        try await eventually("hub sees store-x offline") {
            let s = try Self.json(try Self.run(h, "status-json2", ["status", "--hub", "http://\(http)", "-o", "json"]).output)
            let x = (s["spokes"] as? [[String: Any]])?.first { $0["name"] as? String == "store-x" }
            return x?["online"] as? Bool == false
        }
        #expect(agents[1].terminate() == 0)
        #expect(hub.terminate() == 0, "\(hub.output.suffix(2000))")
    }

    @Test func badInvocationsFailWithAClearMessage() throws {
        let h = try FleetHarness()
        let wrongUser = try Self.run(h, "bad-user", [
            "agent", "run", "--name", "store-a", "--username", "store-b", "--broker", h.broker.url,
            "--state", h.agentState(of: "store-a"), "--applier", "dir:/tmp/x",
        ])
        #expect(wrongUser.code != 0)
        #expect(wrongUser.output.contains("a spoke may only speak for itself"))
        let badApplier = try Self.run(h, "bad-applier", [
            "agent", "run", "--name", "store-a", "--broker", h.broker.url, "--state", h.agentState(of: "store-a"), "--applier", "ftp:x",
        ])
        #expect(badApplier.code != 0)
        #expect(badApplier.output.contains("unknown applier"))
        try h.write("bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: 1}\n")
        let plan = try Self.run(h, "bad-plan", ["plan", "--source", h.source.path])
        #expect(plan.code != 0)
        #expect(plan.output.contains("bad.yaml:1"))
        #expect(plan.output.contains("metadata.name"))
    }
}
