import FlotillaModel
import FlotillaTestSupport
import Foundation
import Testing

/// `flotilla status --wait` says "converged" only when it is: after the hub has read the source
/// as it is on disk, never while the source is rejected or the hub has lost the broker, and on
/// timeout it names the spokes that are not there.
@Suite(.serialized)
struct StatusWaitTests {
    static func json(_ text: String) throws -> [String: Any] {
        let start = try #require(text.firstIndex(of: "{"))
        return try #require(try JSONSerialization.jsonObject(with: Data(text[start...].utf8)) as? [String: Any])
    }

    static func fleet(_ h: FleetHarness, spokes: [String], value: String) throws {
        try h.write("inventory.yaml", spokes.map { FleetYAML.spoke($0, labels: ["site": "store"]) }.joined(separator: "\n---\n"))
        try h.write("policy.yaml", FleetYAML.policy("stores", spokeLabel: ("site", "store"), app: "web"))
        try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": value]))
    }

    @Test func waitMeansTheEditOnDiskIsAppliedAndFailsForTheRightReasons() async throws {
        let h = try FleetHarness()
        try Self.fleet(h, spokes: ["store-w"], value: "1")
        let http = "127.0.0.1:\(try FreePort.find())"
        // A slow poll makes the window between an edit and the hub's next look wide.
        let hub = try h.spawn(
            "hub", ["hub", "run", "--source", h.source.path, "--broker", h.broker.url, "--state", h.hubState, "--http", http, "--poll", "2"])
        defer { hub.kill() }
        let agent = try h.spawn(
            "agent", ["agent", "run", "--name", "store-w", "--broker", h.broker.url, "--state", h.agentState(of: "store-w"),
                      "--applier", "dir:\(h.manifests(of: "store-w"))"])
        defer { agent.kill() }
        func status(_ name: String, _ args: [String]) throws -> (code: Int32, output: String) {
            let p = try h.spawn(name, ["status", "--hub", "http://\(http)"] + args)
            return (p.waitForExit(), p.output)
        }
        #expect(try status("wait-1", ["--wait", "60"]).code == 0)

        // An edit, then at once --wait: it must return only when generation 2 is applied.
        try Self.fleet(h, spokes: ["store-w"], value: "2")
        let waited = try status("wait-2", ["--wait", "60"])
        #expect(waited.code == 0, "\(waited.output)")
        let after = try Self.json(try status("json-2", ["-o", "json"]).output)
        let spoke = try #require((after["spokes"] as? [[String: Any]])?.first)
        #expect(spoke["appliedGeneration"] as? Int == 2, "status --wait returned before the edit was applied: \(spoke)")

        // A source the hub rejects: --wait fails with the reason instead of saying converged.
        try h.write("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")
        let rejected = try status("wait-rejected", ["--wait", "60"])
        #expect(rejected.code == 3, "\(rejected.output)")
        #expect(rejected.output.contains("rejected") && rejected.output.contains("broken.yaml"), "\(rejected.output)")
        try FileManager.default.removeItem(at: h.source.appendingPathComponent("broken.yaml"))

        // A spoke that never comes: the timeout names it and says why.
        try Self.fleet(h, spokes: ["store-w", "store-never"], value: "2")
        let timedOut = try status("wait-timeout", ["--wait", "6"])
        #expect(timedOut.code == 2, "\(timedOut.output)")
        #expect(timedOut.output.contains("store-never:") && timedOut.output.contains("Pending"), "\(timedOut.output)")
        #expect(!timedOut.output.contains("store-w:"), "a converged spoke is not named: \(timedOut.output)")

        // The hub without its broker: --wait fails and says so.
        try Self.fleet(h, spokes: ["store-w"], value: "2")
        #expect(try status("wait-3", ["--wait", "60"]).code == 0)
        h.broker.kill()
        let disconnected = try status("wait-disconnected", ["--wait", "60"])
        #expect(disconnected.code == 3, "\(disconnected.output)")
        #expect(disconnected.output.contains("not connected to the broker"), "\(disconnected.output)")
    }
}
