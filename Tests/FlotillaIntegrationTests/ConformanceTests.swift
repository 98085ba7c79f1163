import FlotillaModel
import FlotillaWire
import FlotillaStore
import FlotillaTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The Python spoke and the interpreter that runs it.
enum MinimalSpoke {
    /// `python3`, when it can import paho-mqtt; `nil` skips the suite.
    static let python: String? = {
        guard let python = try? Executable.find("python3"),
            let probe = try? SpawnedProcess(executable: python, arguments: ["-c", "import paho.mqtt.client"], logFile: nil),
            probe.exitCode == 0
        else { return nil }
        return python
    }()

    /// `Tests/conformance/minimal_spoke.py`, beside this file's folder.
    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("conformance/minimal_spoke.py").path
    }
}

/// A spoke written from `docs/protocol.md` alone (`Tests/conformance/minimal_spoke.py`, Python
/// and paho-mqtt, sharing no code with the agent) against the real hub, a locked-down mosquitto
/// and a key pair from `flotilla keygen`. If it converges, the document is enough to build a spoke.
/// Under CI it always runs: there `make test` has installed paho-mqtt, and a missing one must fail.
@Suite(
    .serialized,
    .enabled(
        if: MinimalSpoke.python != nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "needs python3 with paho-mqtt (scripts/install-deps.sh)"))
struct ConformanceTests {
    static let spoke = "store-py"

    /// What the spoke prints at exit.
    struct Summary: Decodable {
        var spoke: String
        var epoch: String
        var lastSeq: Int64
        var ackedSeq: Int64
        var outbox: Int
        var storedGeneration: Int64?
        var appliedGeneration: Int64?
        var appliedHash: String?
        var objects: [String]
        var reached: Bool
    }

    static func source(_ h: FleetHarness, value: String) throws {
        try h.write("inventory.yaml", FleetYAML.spoke(spoke, labels: ["site": "store"]))
        try h.write("policy.yaml", FleetYAML.policy("stores", spokeLabel: ("site", "store"), app: "pos"))
        try h.write("config.yaml", FleetYAML.configMap("pos-settings", namespace: "pos", app: "pos", data: ["value": value]))
        // Cluster-scoped objects, one with an RBAC name that only the RBAC rule allows.
        try h.write(
            "cluster.yaml",
            """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: pos
              labels: {app: pos}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: "system:pos-reader"
              labels: {app: pos}
            rules:
            - apiGroups: [""]
              resources: [configmaps]
              verbs: [get]
            """)
    }

    /// Runs the Python spoke to its exit; returns its exit code, summary and whole output.
    static func runSpoke(
        _ h: FleetHarness, hubPub: String, until generation: Int64?, seconds: Double
    ) async throws -> (code: Int32, summary: Summary, output: String) {
        let python = try #require(MinimalSpoke.python)
        let layout = try #require(h.brokerLayout)
        var args = [
            MinimalSpoke.script, "--broker", "127.0.0.1:\(h.broker.port)", "--name", spoke, "--hub-pub", hubPub,
            "--state", h.directory.appendingPathComponent("\(spoke).json").path,
            "--username", spoke, "--password-file", layout.credentialsFile(for: spoke).path,
            "--applied-file", h.directory.appendingPathComponent("\(spoke).applied").path,
            "--run-seconds", String(seconds), "--resend-interval", "2",
        ]
        if let generation { args += ["--until-applied-generation", String(generation)] }
        let log = h.directory.appendingPathComponent("spoke-\(UUID().uuidString.prefix(8)).log")
        let process = try SpawnedProcess(executable: python, arguments: args, logFile: log.path)
        do {
            try await eventually("the Python spoke exits", timeout: seconds + 30) { !process.isRunning }
        } catch {
            process.signal(SIGKILL)
            throw error
        }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let line = try #require(
            output.split(separator: "\n").last { $0.hasPrefix("{") }, "no summary line; spoke output:\n\(output)")
        let summary = try JSONDecoder().decode(Summary.self, from: Data(line.utf8))
        return (process.exitCode, summary, output)
    }

    @Test func aSpokeWrittenFromTheProtocolDocumentConvergesOnTheRealHub() async throws {
        let h = try FleetHarness(securedSpokes: [Self.spoke])
        try Self.source(h, value: "one")
        let keys = h.directory.appendingPathComponent("keys").path
        let keygen = try h.spawn("keygen", ["keygen", "--out", keys])
        #expect(keygen.waitForExit() == 0, "\(keygen.output)")
        let key = try SigningKey(base64: try String(contentsOfFile: keys + "/hub.key", encoding: .utf8))
        let hub = try h.startHub(signingKey: key)
        func record() async throws -> SpokeRecord? { try await hub.service.store.spokes().first { $0.name == Self.spoke } }
        try await eventually("hub published generation 1") { try await record()?.generation == 1 }

        // 1. First contact: the retained bundle, received + applied, both acknowledged.
        var run = try await Self.runSpoke(h, hubPub: keys + "/hub.pub", until: 1, seconds: 60)
        try #require(run.code == 0, "spoke output:\n\(run.output)")
        var s = run.summary
        #expect(s.reached && s.appliedGeneration == 1 && s.outbox == 0, "\(run.output)")
        // In bundle order: (group, kind, namespace, name).
        #expect(s.objects == ["ConfigMap/pos/pos-settings", "Namespace//pos", "ClusterRole//system:pos-reader"])
        #expect(s.lastSeq == 2 && s.ackedSeq == 2)
        var r = try #require(try await record())
        #expect(r.phase == .applied && r.appliedGeneration == 1 && r.appliedHash == s.appliedHash && r.hash == s.appliedHash)
        #expect(r.epoch == s.epoch && r.ackedSeq == s.lastSeq && r.reportsStored == s.lastSeq)
        #expect(Set(r.lastResult.map(\.name)) == ["pos", "pos-settings", "system:pos-reader"])
        #expect(r.lastResult.first { $0.kind == "Namespace" }?.namespace == "")
        var reports = try await hub.service.store.reports(spoke: Self.spoke)
        #expect(reports.map(\.kind) == [.received, .applied])
        #expect(reports.map(\.seq) == [1, 2] && reports.allSatisfy { $0.epoch == s.epoch && $0.generation == 1 })

        // 2. The source changes while the spoke is away: it comes back to the newest generation
        //    under the same epoch, numbering on from its state file.
        try Self.source(h, value: "two")
        try await eventually("hub published generation 2") { try await record()?.generation == 2 }
        let epoch = s.epoch
        run = try await Self.runSpoke(h, hubPub: keys + "/hub.pub", until: 2, seconds: 60)
        try #require(run.code == 0, "spoke output:\n\(run.output)")
        s = run.summary
        #expect(s.reached && s.appliedGeneration == 2 && s.outbox == 0 && s.epoch == epoch && s.lastSeq == 4, "\(run.output)")
        r = try #require(try await record())
        #expect(r.phase == .applied && r.generation == 2 && r.appliedGeneration == 2 && r.appliedHash == s.appliedHash)
        #expect(r.epoch == epoch && r.ackedSeq == 4 && r.reportsStored == 4)
        reports = try await hub.service.store.reports(spoke: Self.spoke)
        #expect(reports.map(\.kind) == [.received, .applied, .received, .applied])
        #expect(reports.map(\.seq) == [1, 2, 3, 4] && reports.suffix(2).allSatisfy { $0.generation == 2 })

        // 3. A spoke that does not trust the signer refuses, once, keeps running generation 2, and
        //    the hub shows it Refused: it is not on what the hub wants it to run.
        let stranger = h.directory.appendingPathComponent("stranger.pub").path
        try (SigningKey().verifyingKey.base64 + "\n").write(toFile: stranger, atomically: true, encoding: .utf8)
        run = try await Self.runSpoke(h, hubPub: stranger, until: nil, seconds: 10)
        try #require(run.code == 0, "spoke output:\n\(run.output)")
        s = run.summary
        #expect(s.appliedGeneration == 2 && s.storedGeneration == 2 && s.outbox == 0 && s.lastSeq == 5, "\(run.output)")
        r = try #require(try await record())
        #expect(r.phase == .refused && r.appliedGeneration == 2 && r.reportsStored == 5)
        #expect(r.lastError?.contains("not trusted") == true, "\(r.lastError ?? "no error")")
        let refusal = try #require(try await hub.service.store.reports(spoke: Self.spoke).last)
        #expect(refusal.kind == .refused && refusal.seq == 5 && refusal.generation == nil)
        try await eventually("presence offline after the spoke's graceful exit") { try await record()?.online == false }
        await hub.stop()
    }
}
