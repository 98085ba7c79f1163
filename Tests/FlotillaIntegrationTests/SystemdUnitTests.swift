import FlotillaBrokerSetup
import FlotillaStore
import FlotillaTestSupport
import Foundation
import Testing

/// The shipped systemd units start as they are: `systemd-analyze verify` accepts them, and each
/// unit's ExecStart line, with its files laid out as the unit's comments and docs/operations.md
/// say (under a temporary root), connects to a real broker and does its job.
@Suite(.serialized)
struct SystemdUnitTests {
    static let unitDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("broker-config/systemd")

    /// The ExecStart command of a unit, continuation lines joined, as arguments.
    static func execStart(_ unit: String, instance: String) throws -> [String] {
        let text = try String(contentsOf: unitDirectory.appendingPathComponent(unit), encoding: .utf8)
        var joined = ""
        var inExec = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("ExecStart=") { inExec = true; joined = String(line.dropFirst("ExecStart=".count)) } else if inExec {
                joined += " " + line.trimmingCharacters(in: .whitespaces)
            }
            if inExec && !joined.hasSuffix("\\") { break }
            if joined.hasSuffix("\\") { joined.removeLast() }
        }
        return joined.replacingOccurrences(of: "%i", with: instance).split(separator: " ").map(String.init)
    }

    /// Maps the unit's absolute paths and addresses onto this test's.
    static func map(_ arguments: [String], _ table: [(String, String)]) -> [String] {
        arguments.map { argument in
            var a = argument
            for (from, to) in table where a.contains(from) { a = a.replacingOccurrences(of: from, with: to) }
            return a
        }
    }

    @Test func systemdAcceptsTheUnits() async throws {
        guard let analyze = try? Executable.find("systemd-analyze") else { return }
        let dir = try TemporaryDirectory.make(prefix: "units")
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = try Executable.flotilla()
        for (unit, name) in [("flotilla-hub.service", "flotilla-hub.service"), ("flotilla-agent@.service", "flotilla-agent@store-0042.service")] {
            let text = try String(contentsOf: Self.unitDirectory.appendingPathComponent(unit), encoding: .utf8)
            try text.replacingOccurrences(of: "/usr/local/bin/flotilla", with: binary)
                .write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
            let run = try await CommandRun.run(analyze, ["verify", dir.appendingPathComponent(name).path])
            #expect(run.status == 0, "\(unit): \(run.output)")
        }
    }

    @Test func eachUnitsExecStartConnectsAndWorks() async throws {
        let spoke = "store-0042"
        let h = try FleetHarness(tlsSpokes: [spoke])
        let layout = try #require(h.brokerLayout)
        let certs = try #require(h.certificates)
        let tlsPort = try #require(h.tlsPort)
        let root = h.directory.appendingPathComponent("root")
        let etc = root.appendingPathComponent("etc/flotilla")
        let state = root.appendingPathComponent("var/lib/flotilla")
        let manifests = root.appendingPathComponent("manifests")
        for d in [etc, state, manifests] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        // The layout the units' comments describe.
        try (try layout.password(for: BrokerLayout.hubUser) + "\n").write(to: etc.appendingPathComponent("hub.password"), atomically: true, encoding: .utf8)
        #expect(try await CommandRun.flotilla(["keygen", "--out", etc.path]).status == 0)
        let pair = try certs.client(spoke)
        try FileManager.default.copyItem(at: certs.caFile, to: etc.appendingPathComponent("ca.crt"))
        try FileManager.default.copyItem(at: pair.certFile, to: etc.appendingPathComponent("\(spoke).crt"))
        try FileManager.default.copyItem(at: pair.keyFile, to: etc.appendingPathComponent("\(spoke).key"))
        try SecurityTests.fleet(h, spokes: [spoke])
        try FileManager.default.copyItem(at: h.source, to: state.appendingPathComponent("source"))
        let http = try FreePort.find()
        let table: [(String, String)] = [
            ("/usr/local/bin/flotilla", try Executable.flotilla()), ("/etc/flotilla", etc.path), ("/var/lib/flotilla", state.path),
            ("/var/lib/rancher/k3s/server/manifests", manifests.path), ("mqtts://central.example:8883", "mqtts://127.0.0.1:\(tlsPort)"),
            ("mqtt://127.0.0.1:1883", h.broker.url), ("127.0.0.1:8080", "127.0.0.1:\(http)"),
        ]
        let hubArgs = Self.map(try Self.execStart("flotilla-hub.service", instance: ""), table)
        let agentArgs = Self.map(try Self.execStart("flotilla-agent@.service", instance: spoke), table)
        let hub = try ChildProcess(executable: hubArgs[0], arguments: Array(hubArgs.dropFirst()), logFile: h.directory.appendingPathComponent("hub.log"))
        defer { hub.kill() }
        let agent = try ChildProcess(
            executable: agentArgs[0], arguments: Array(agentArgs.dropFirst()), logFile: h.directory.appendingPathComponent("agent.log"))
        defer { agent.kill() }
        do {
            try await eventually("the unit-started agent applied the unit-started hub's bundle", timeout: 60) {
                guard FileManager.default.fileExists(atPath: state.appendingPathComponent("agent-\(spoke).sqlite").path) else { return false }
                // The agent may not have created its tables yet: not an error, just not there yet.
                let inspected = try? await AgentStore.inspect(path: state.appendingPathComponent("agent-\(spoke).sqlite").path)
                return inspected?.appliedGeneration == 1
            }
        } catch {
            Issue.record("\(error)\nhub \(hubArgs):\n\(hub.output.suffix(1500))\nagent \(agentArgs):\n\(agent.output.suffix(1500))")
        }
        #expect(hub.isRunning, "\(hub.output.suffix(2000))")
        #expect(agent.isRunning, "\(agent.output.suffix(2000))")
        let written = (try? FileManager.default.contentsOfDirectory(atPath: manifests.path)) ?? []
        #expect(written.contains { $0.hasPrefix("flotilla--") }, "\(written)")
    }
}
