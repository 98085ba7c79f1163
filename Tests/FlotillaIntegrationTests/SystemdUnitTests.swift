import FlotillaBrokerSetup
import FlotillaStore
import FlotillaTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The shipped systemd units start as they are: `systemd-analyze verify` accepts them, and each
/// unit's ExecStart line runs as the unit's `User=`/`Group=` (root when it has none), with no
/// capabilities and `NoNewPrivileges` as the units say, on files laid out by the install steps
/// of docs/operations.md, run literally (`install -o … -m …`) under a temporary root for each
/// machine; the hub and the agent connect to a real broker and the agent applies the hub's bundle.
@Suite(.serialized)
struct SystemdUnitTests {
    static let unitDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("broker-config/systemd")

    static var isRoot: Bool { geteuid() == 0 }

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

    /// A `[Service]` setting of a unit (`User`, `Group`), if set.
    static func setting(_ key: String, of unit: String) throws -> String? {
        let text = try String(contentsOf: unitDirectory.appendingPathComponent(unit), encoding: .utf8)
        return text.split(separator: "\n").first { $0.hasPrefix("\(key)=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    /// Maps the unit's absolute paths and addresses onto this test's.
    static func map(_ arguments: [String], _ table: [(String, String)]) -> [String] {
        arguments.map { argument in
            var a = argument
            for (from, to) in table where a.contains(from) { a = a.replacingOccurrences(of: from, with: to) }
            return a
        }
    }

    /// `arguments` started the way systemd starts `unit`: as its User= and Group= (root and
    /// root's group without them) with their supplementary groups, no capabilities
    /// (`CapabilityBoundingSet=`), `NoNewPrivileges=yes`, and a clean environment.
    static func asUnit(_ unit: String, _ arguments: [String], home: String) throws -> [String] {
        let user = try setting("User", of: unit) ?? "root"
        let group = try setting("Group", of: unit) ?? (user == "root" ? "root" : user)
        #expect(try setting("CapabilityBoundingSet", of: unit) == "", "\(unit) drops every capability")
        #expect(try setting("NoNewPrivileges", of: unit) == "yes")
        return [
            try Executable.find("setpriv", extra: ["/usr/bin/setpriv"]), "--reuid=\(user)", "--regid=\(group)", "--init-groups",
            "--bounding-set=-all", "--no-new-privs", "--", "/usr/bin/env", "-i",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=\(home)", "USER=\(user)", "LOGNAME=\(user)",
        ] + arguments
    }

    /// Runs a step of the docs' install instructions; fails the test with its output.
    static func step(_ tool: String, _ arguments: [String]) async throws {
        let run = try await CommandRun.run(try Executable.find(tool), arguments)
        guard run.status == 0 else { throw TestSupportError("\(tool) \(arguments.joined(separator: " ")) failed: \(run.output)") }
    }

    /// The hub's service user, created as docs/operations.md does when it is missing.
    static func ensureServiceUser() async throws -> BrokerAccount {
        if let account = try? BrokerAccount.named("flotilla") { return account }
        let run = try await CommandRun.run(
            try Executable.find("useradd"),
            ["--system", "--home-dir", "/var/lib/flotilla", "--no-create-home", "--shell", "/usr/sbin/nologin", "flotilla"])
        // Another process may have created it in between.
        if let account = try? BrokerAccount.named("flotilla") { return account }
        throw TestSupportError("useradd flotilla failed: \(run.output)")
    }

    /// Real, effective, saved and filesystem uid, and the effective capabilities, of `pid`.
    static func credentials(_ pid: Int32) throws -> (uids: [String], capEff: String) {
        let lines = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8).split(separator: "\n")
        func field(_ name: String) -> [String] {
            (lines.first { $0.hasPrefix("\(name):") } ?? "").split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().map(String.init)
        }
        return (field("Uid"), field("CapEff").first ?? "")
    }

    @Test func systemdAcceptsTheUnits() async throws {
        guard let analyze = try? Executable.find("systemd-analyze") else { return }
        let dir = try TemporaryDirectory.make(prefix: "units")
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = try Executable.flotilla()
        for (unit, name) in [
            ("flotilla-hub.service", "flotilla-hub.service"), ("flotilla-agent@.service", "flotilla-agent@store-0042.service"),
            ("flotilla-broker.service", "flotilla-broker.service"),
        ] {
            let text = try String(contentsOf: Self.unitDirectory.appendingPathComponent(unit), encoding: .utf8)
            try text.replacingOccurrences(of: "/usr/local/bin/flotilla", with: binary)
                .write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
            let run = try await CommandRun.run(analyze, ["verify", dir.appendingPathComponent(name).path])
            #expect(run.status == 0, "\(unit): \(run.output)")
        }
    }

    @Test func theBrokerUnitAndTheDebianDropInRaiseTheFileLimit() throws {
        for unit in ["flotilla-broker.service", "mosquitto-limits.conf"] {
            #expect(try Self.setting("LimitNOFILE", of: unit) == "65536", "\(unit)")
            #expect(try Self.setting("TimeoutStopSec", of: unit) == "300", "\(unit)")
        }
        #expect(try Self.execStart("flotilla-broker.service", instance: "") == ["/usr/sbin/mosquitto", "-c", "/srv/flotilla-broker/mosquitto.conf"])
        // The docs send the operator to both.
        let docs = try String(
            contentsOf: Self.unitDirectory.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/operations.md"),
            encoding: .utf8)
        #expect(docs.contains("systemd/mosquitto-limits.conf") && docs.contains("systemd/flotilla-broker.service"))
    }

    @Test(.enabled(if: isRoot, "runs each unit's ExecStart as the unit's User= (setpriv) and installs files with install -o, which needs root"))
    func eachUnitsExecStartRunsAsItsUserAndConnects() async throws {
        let spoke = "store-0042"
        let flotilla = try await Self.ensureServiceUser()
        let h = try FleetHarness(tlsSpokes: [spoke])
        let layout = try #require(h.brokerLayout)
        let certs = try #require(h.certificates)
        let tlsPort = try #require(h.tlsPort)
        // Two machines: the hub's and the spoke's, each its own temporary root.
        let hubRoot = h.directory.appendingPathComponent("hub-machine")
        let spokeRoot = h.directory.appendingPathComponent("spoke-machine")
        let (hubEtc, hubState) = (hubRoot.appendingPathComponent("etc/flotilla"), hubRoot.appendingPathComponent("var/lib/flotilla"))
        let (spokeEtc, spokeState) = (spokeRoot.appendingPathComponent("etc/flotilla"), spokeRoot.appendingPathComponent("var/lib/flotilla"))
        let manifests = spokeRoot.appendingPathComponent("var/lib/rancher/k3s/server/manifests")
        for d in [hubRoot.appendingPathComponent("etc"), hubRoot.appendingPathComponent("var/lib"), spokeRoot.appendingPathComponent("etc"), manifests] {
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        }
        let keys = h.directory.appendingPathComponent("hub-key")
        #expect(try await CommandRun.flotilla(["keygen", "--out", keys.path]).status == 0)

        // The hub machine, as "systemd units" in docs/operations.md says.
        try await Self.step("install", ["-d", "-m", "0750", "-o", "root", "-g", "flotilla", hubEtc.path])
        try await Self.step(
            "install", ["-o", "flotilla", "-g", "flotilla", "-m", "0600", layout.credentialsFile(for: "hub").path, hubEtc.appendingPathComponent("hub.password").path])
        try await Self.step(
            "install", ["-o", "flotilla", "-g", "flotilla", "-m", "0600", keys.appendingPathComponent("hub.key").path, hubEtc.appendingPathComponent("hub.key").path])
        try await Self.step("install", ["-d", "-m", "0750", "-o", "flotilla", "-g", "flotilla", hubState.path])
        // The fleet's repository, cloned by the hub's user into its state directory.
        try SecurityTests.fleet(h, spokes: [spoke])
        let git = ["-C", h.source.path, "-c", "user.name=test", "-c", "user.email=test@example.invalid"]
        try await Self.step("git", git + ["init", "-q"])
        try await Self.step("git", git + ["add", "-A"])
        try await Self.step("git", git + ["commit", "-q", "-m", "fleet"])
        // A stand-in for https://git.example/fleet.git: a bare copy, which git lets a local clone
        // read only when it belongs to the cloning user ("dubious ownership" otherwise).
        let remote = h.directory.appendingPathComponent("fleet.git")
        try await Self.step("git", ["clone", "-q", "--bare", h.source.path, remote.path])
        try await Self.step("chown", ["-R", "flotilla:flotilla", remote.path])
        try await Self.step("runuser", ["-u", "flotilla", "--", "git", "clone", "-q", remote.path, hubState.appendingPathComponent("source").path])

        // The spoke machine.
        try await Self.step("install", ["-d", "-m", "0700", spokeEtc.path])
        try await Self.step("install", ["-m", "0644", certs.caFile.path, spokeEtc.appendingPathComponent("ca.crt").path])
        let pair = try certs.client(spoke)
        // Named as the unit expects them: /etc/flotilla/%i.crt and %i.key.
        try FileManager.default.copyItem(at: pair.certFile, to: h.directory.appendingPathComponent("\(spoke).crt"))
        try FileManager.default.copyItem(at: pair.keyFile, to: h.directory.appendingPathComponent("\(spoke).key"))
        try await Self.step(
            "install",
            ["-m", "0600"] + ["\(spoke).crt", "\(spoke).key"].map { h.directory.appendingPathComponent($0).path }
                + [keys.appendingPathComponent("hub.pub").path, spokeEtc.path + "/"])
        // What systemd does for StateDirectory=flotilla, StateDirectoryMode=0750 of a root unit.
        try await Self.step("install", ["-d", "-m", "0750", spokeState.path])

        let http = try FreePort.find()
        let hubArgs = Self.map(
            try Self.execStart("flotilla-hub.service", instance: ""),
            [
                ("/usr/local/bin/flotilla", try Executable.flotilla()), ("/etc/flotilla", hubEtc.path), ("/var/lib/flotilla", hubState.path),
                ("mqtt://127.0.0.1:1883", h.broker.url), ("127.0.0.1:8080", "127.0.0.1:\(http)"),
            ])
        let agentArgs = Self.map(
            try Self.execStart("flotilla-agent@.service", instance: spoke),
            [
                ("/usr/local/bin/flotilla", try Executable.flotilla()), ("/etc/flotilla", spokeEtc.path), ("/var/lib/flotilla", spokeState.path),
                ("/var/lib/rancher/k3s/server/manifests", manifests.path), ("mqtts://central.example:8883", "mqtts://127.0.0.1:\(tlsPort)"),
            ])
        let hubCommand = try Self.asUnit("flotilla-hub.service", hubArgs, home: hubState.path)
        let agentCommand = try Self.asUnit("flotilla-agent@.service", agentArgs, home: spokeState.path)
        let hub = try ChildProcess(
            executable: hubCommand[0], arguments: Array(hubCommand.dropFirst()), logFile: h.directory.appendingPathComponent("hub.log"))
        defer { hub.kill() }
        let agent = try ChildProcess(
            executable: agentCommand[0], arguments: Array(agentCommand.dropFirst()), logFile: h.directory.appendingPathComponent("agent.log"))
        defer { agent.kill() }
        let agentDB = spokeState.appendingPathComponent("agent-\(spoke).sqlite").path
        do {
            try await eventually("the unit-started agent applied the unit-started hub's bundle", timeout: 60) {
                guard FileManager.default.fileExists(atPath: agentDB) else { return false }
                // The agent may not have created its tables yet: not an error, just not there yet.
                return (try? await AgentStore.inspect(path: agentDB))?.appliedGeneration == 1
            }
        } catch {
            Issue.record("\(error)\nhub \(hubCommand):\n\(hub.output.suffix(1500))\nagent \(agentCommand):\n\(agent.output.suffix(1500))")
        }
        #expect(hub.isRunning, "\(hub.output.suffix(2000))")
        #expect(agent.isRunning, "\(agent.output.suffix(2000))")
        // Each ran as its unit says: the hub as flotilla, the agent as root without capabilities.
        if hub.isRunning {
            let (uids, caps) = try Self.credentials(hub.pid)
            #expect(uids == Array(repeating: String(flotilla.uid), count: 4), "hub uids \(uids)")
            #expect(caps == "0000000000000000", "hub CapEff \(caps)")
        }
        if agent.isRunning {
            let (uids, caps) = try Self.credentials(agent.pid)
            #expect(uids == ["0", "0", "0", "0"], "agent uids \(uids)")
            #expect(caps == "0000000000000000", "agent CapEff \(caps)")
        }
        let written = (try? FileManager.default.contentsOfDirectory(atPath: manifests.path)) ?? []
        #expect(written.contains { $0.hasPrefix("flotilla--") }, "\(written)")
        var info = stat()
        #expect(stat(hubState.appendingPathComponent("hub.sqlite").path, &info) == 0 && info.st_uid == flotilla.uid, "hub.sqlite belongs to flotilla")
        for word in ["permission denied", "Permission denied", "dubious ownership"] {
            #expect(!hub.output.contains(word), "hub log: \(hub.output.suffix(2000))")
            #expect(!agent.output.contains(word), "agent log: \(agent.output.suffix(2000))")
        }
    }
}
