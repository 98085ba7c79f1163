import FlotillaAgent
import FlotillaBrokerSetup
import FlotillaHub
import FlotillaModel
import FlotillaStore
import FlotillaTestSupport
import FlotillaWire
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 22, items 2, 3 and 10: `broker remove-spoke` takes a spoke's access away over TLS too.
/// On the TLS listener any certificate the CA signed connects under its CN; the ACL is an allow
/// list (a section per spoke), so a removed spoke's certificate, or one for a name never added,
/// reads and writes nothing after the reload, and a CRL refuses it at the handshake. A broker
/// directory written by root runs as `mosquitto` and can still read its files after a rewrite.
/// Checked with mosquitto's own clients, the product's hub and agents, and a real mosquitto.
@Suite(.serialized)
struct RevocationTests {
    static let topics = Topics()

    /// `mosquitto_sub -V 5` with `name`'s certificate on `topic`: prints the topic of what it
    /// receives within `wait` seconds (exit 0), or times out (exit 27).
    static func receive(
        _ certs: TestCertificates, _ port: Int32, as name: String, _ topic: String, wait: Int = 3
    ) async throws -> CommandRun {
        try await TLSTests.mosquitto(
            "mosquitto_sub", port: port, try certs.arguments(for: name),
            ["-V", "5", "-q", "1", "-t", topic, "-F", "%t", "-C", "1", "-W", String(wait)])
    }

    /// `mosquitto_pub -V 5` with `name`'s certificate: a denial prints "Not authorized".
    static func publish(_ certs: TestCertificates, _ port: Int32, as name: String, _ topic: String, _ payload: [UInt8])
        async throws -> CommandRun
    {
        try await TLSTests.mosquitto(
            "mosquitto_pub", port: port, try certs.arguments(for: name),
            ["-V", "5", "-q", "1", "-t", topic, "-m", String(decoding: payload, as: UTF8.self)])
    }

    static func received(_ run: CommandRun, _ topic: String) -> Bool {
        run.status == 0 && run.output.split(separator: "\n").contains { $0 == topic }
    }

    static func lines(_ url: URL) -> [String] {
        ((try? String(contentsOf: url, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// What `broker init` wrote before the allow list: every username, so every certificate's CN,
    /// got its own topics through `pattern … %u`.
    static let patternACL = """
        # Written by `flotilla broker init`. Reload a running broker after changes: kill -HUP.
        # Anything not granted here is denied. A line is a comment only when "#" is its first character.

        user hub
        topic readwrite flotilla/v1/#
        topic read $SYS/broker/#

        # %u is the client's username, which is its spoke name.
        pattern read flotilla/v1/spokes/%u/desired
        pattern read flotilla/v1/spokes/%u/ack
        pattern write flotilla/v1/spokes/%u/status
        pattern write flotilla/v1/spokes/%u/presence

        """

    // MARK: the allow list

    @Test func aRemovedSpokesCertificateReadsAndWritesNothingAfterTheReload() async throws {
        let h = try FleetHarness(tlsSpokes: ["store-a", "store-b"])
        let certs = try #require(h.certificates)
        let port = try #require(h.tlsPort)
        let layout = try #require(h.brokerLayout)
        #expect(try layout.aclSpokes() == ["store-a", "store-b"])
        #expect(try !layout.aclUsesPatterns())
        // store-x is in the inventory, so the hub publishes its bundle, but was never given
        // broker access: its certificate (signed by the fleet's CA) stands for any identity the
        // broker does not list.
        try SecurityTests.fleet(h, spokes: ["store-a", "store-b", "store-x"])
        let hub = try h.startHub(signingKey: SigningKey())
        try await eventually("three bundles published") { try await hub.service.store.publications().count == 3 }
        try await SecurityTests.hubConnected(hub)
        let store = hub.service.store

        // Before: store-b's certificate reads its bundle and its report reaches the hub.
        let before = try await Self.receive(certs, port, as: "store-b", Self.topics.desired("store-b"))
        #expect(Self.received(before, Self.topics.desired("store-b")), "\(before.output)")
        let report = try await Self.publish(
            certs, port, as: "store-b", Self.topics.status("store-b"), SecurityTests.report(seq: 1, "before"))
        #expect(report.status == 0 && !report.output.contains("Not authorized"), "\(report.output)")
        try await eventually("hub stored store-b's report") { try await store.reportCount(spoke: "store-b") == 1 }

        // A name never added connects (the CA signed it) and gets nothing.
        let stranger = try await Self.receive(certs, port, as: "store-x", Self.topics.desired("store-x"))
        #expect(stranger.status == 27 && !stranger.output.contains(Self.topics.desired("store-x")), "\(stranger.output)")
        let strangerReport = try await Self.publish(
            certs, port, as: "store-x", Self.topics.status("store-x"), SecurityTests.report(seq: 1, "stranger"))
        #expect(strangerReport.output.contains("Not authorized"), "\(strangerReport.output)")

        let remove = try await CommandRun.flotilla(["broker", "remove-spoke", "--dir", layout.directory.path, "--spoke", "store-b"])
        #expect(remove.status == 0, "\(remove.output)")
        #expect(try layout.aclSpokes() == ["store-a"])
        #expect(!Self.lines(layout.aclFile).contains("user store-b"))
        h.broker.reload()
        try await eventually("the broker re-read its files", timeout: 10) { h.broker.log.contains("Reloading config.") }

        // After: the same certificate still connects, and reads nothing.
        try await eventually("store-b's certificate reads nothing", timeout: 20) {
            try await !Self.received(Self.receive(certs, port, as: "store-b", Self.topics.desired("store-b"), wait: 2), Self.topics.desired("store-b"))
        }
        // Its report is refused (MQTT 5: "Not authorized") and never reaches the hub. store-a's
        // report, sent after it, is the barrier: once the hub has it, store-b's would be there too.
        let denied = try await Self.publish(
            certs, port, as: "store-b", Self.topics.status("store-b"), SecurityTests.report(seq: 2, "after removal"))
        #expect(denied.output.contains("Not authorized"), "\(denied.output)")
        let own = try await Self.publish(certs, port, as: "store-a", Self.topics.status("store-a"), SecurityTests.report(seq: 1, "own"))
        #expect(own.status == 0 && !own.output.contains("Not authorized"), "\(own.output)")
        try await eventually("hub stored store-a's report") { try await store.reportCount(spoke: "store-a") == 1 }
        #expect(try await store.reportCount(spoke: "store-b") == 1, "store-b's report after removal reached the hub")
        #expect(try await store.reportCount(spoke: "store-x") == 0)

        // store-a kept working throughout; the stranger still gets nothing.
        let a = try await Self.receive(certs, port, as: "store-a", Self.topics.desired("store-a"))
        #expect(Self.received(a, Self.topics.desired("store-a")), "\(a.output)")
        let strangerAfter = try await Self.receive(certs, port, as: "store-x", Self.topics.desired("store-x"), wait: 2)
        #expect(!Self.received(strangerAfter, Self.topics.desired("store-x")), "\(strangerAfter.output)")
        await hub.stop()
    }

    @Test func aRemovedSpokesAgentGetsNoNewBundleAndItsStatusStaysOnTheHub() async throws {
        let h = try FleetHarness(tlsSpokes: ["store-a", "store-b"])
        let layout = try #require(h.brokerLayout)
        try SecurityTests.fleet(h, spokes: ["store-a", "store-b"])
        let key = SigningKey()
        let hub = try h.startHub(signingKey: key)
        let agentA = try await h.startAgent("store-a", trustedKeys: [key.verifyingKey])
        var agentB = try await h.startAgent("store-b", trustedKeys: [key.verifyingKey])
        func applied(_ spoke: String) async throws -> Int64? {
            try await hub.service.statusSnapshot().spokes.first { $0.name == spoke }?.appliedGeneration
        }
        try await eventually("both agents applied generation 1, as the hub sees it") {
            let (a, b) = (try await applied("store-a"), try await applied("store-b"))
            return a == 1 && b == 1
        }

        let remove = try await CommandRun.flotilla(["broker", "remove-spoke", "--dir", layout.directory.path, "--spoke", "store-b"])
        #expect(remove.status == 0, "\(remove.output)")
        h.broker.reload()
        try await eventually("the broker re-read its files", timeout: 10) { h.broker.log.contains("Reloading config.") }

        // Generation 2 for both. store-b's agent is still connected and subscribed, but the
        // broker checks the ACL on every delivery: nothing reaches it.
        try SecurityTests.fleet(h, spokes: ["store-a", "store-b"], value: "v2")
        try await eventually("store-a applied generation 2") { try await applied("store-a") == 2 }
        #expect(try await hub.service.store.publications().first { $0.spoke == "store-b" }?.generation == 2)
        // Nor after it reconnects (a fresh subscription, with generation 2 retained for it).
        let logins = { h.broker.log.components(separatedBy: "as store-b (").count }
        let before = logins()
        await agentB.stop()
        agentB = try await h.startAgent("store-b", trustedKeys: [key.verifyingKey])
        try await eventually("store-b's agent connected again", timeout: 20) { logins() > before }
        try await Task.sleep(for: .seconds(2))
        #expect(try await agentB.service.store.inspect().storedGeneration == 1)
        #expect(try await applied("store-b") == 1, "store-b's status on the hub is unchanged")
        let file = h.manifests(of: "store-b") + "/flotilla--default--configmap--web-config.yaml"
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("value: v1"))
        await agentA.stop()
        await agentB.stop()
        await hub.stop()
    }

    // MARK: directories from before the allow list

    @Test func anACLWithPatternsIsConvertedByAddSpokeAndByRemoveSpoke() async throws {
        let h = try FleetHarness(tlsSpokes: ["store-a", "store-b"])
        let certs = try #require(h.certificates)
        let port = try #require(h.tlsPort)
        let layout = try #require(h.brokerLayout)
        // An operator's own section, which the conversion must keep.
        let oldACL = Self.patternACL + "\nuser ops\ntopic read flotilla/v1/#\n"
        try oldACL.write(to: layout.aclFile, atomically: true, encoding: .utf8)
        #expect(chmod(layout.aclFile.path, 0o600) == 0)
        h.broker.reload()
        try SecurityTests.fleet(h, spokes: ["store-a", "store-b", "store-x"])
        let hub = try h.startHub(signingKey: SigningKey())
        try await eventually("three bundles published") { try await hub.service.store.publications().count == 3 }
        // The hole: with patterns, a certificate for a name never added reads its bundle.
        try await eventually("with patterns, store-x's certificate reads store-x's bundle", timeout: 20) {
            try await Self.received(Self.receive(certs, port, as: "store-x", Self.topics.desired("store-x"), wait: 2), Self.topics.desired("store-x"))
        }

        let add = try await CommandRun.flotilla(["broker", "add-spoke", "--dir", layout.directory.path, "--spoke", "store-c"])
        #expect(add.status == 0, "\(add.output)")
        let converted = Self.lines(layout.aclFile)
        #expect(!converted.contains { $0.hasPrefix("pattern") }, "\(converted)")
        #expect(try layout.aclSpokes() == ["store-a", "store-b", "store-c"])
        for line in ["user hub", "topic readwrite flotilla/v1/#", "topic read $SYS/broker/#", "user ops", "topic read flotilla/v1/#"] {
            #expect(converted.contains(line), "the conversion lost \"\(line)\"")
        }
        #expect(try SecurityTests.mode(layout.aclFile) == 0o600, "mode kept")
        h.broker.reload()
        try await eventually("store-x's certificate reads nothing after the reload", timeout: 20) {
            try await !Self.received(Self.receive(certs, port, as: "store-x", Self.topics.desired("store-x"), wait: 2), Self.topics.desired("store-x"))
        }
        let a = try await Self.receive(certs, port, as: "store-a", Self.topics.desired("store-a"))
        #expect(Self.received(a, Self.topics.desired("store-a")), "\(a.output)")
        let c = try await Self.publish(certs, port, as: "store-c", Self.topics.status("store-c"), SecurityTests.report(seq: 1, "c"))
        #expect(c.status == 0 && !c.output.contains("Not authorized"), "\(c.output)")

        // remove-spoke converts too.
        try oldACL.write(to: layout.aclFile, atomically: true, encoding: .utf8)
        let remove = try await CommandRun.flotilla(["broker", "remove-spoke", "--dir", layout.directory.path, "--spoke", "store-b"])
        #expect(remove.status == 0, "\(remove.output)")
        #expect(!Self.lines(layout.aclFile).contains { $0.hasPrefix("pattern") })
        #expect(try layout.aclSpokes() == ["store-a", "store-c"])
        #expect(Self.lines(layout.aclFile).contains("user ops"))
        await hub.stop()
    }

    // MARK: revocation at the handshake

    @Test func aCertificateRevokedInTheCRLFailsTheHandshakeAfterTheReload() async throws {
        let root = try TemporaryDirectory.make(prefix: "crl")
        defer { try? FileManager.default.removeItem(at: root) }
        let certs = try TestCertificates(at: root.appendingPathComponent("pki"))
        let crl = root.appendingPathComponent("pki/fleet.crl")
        let dir = root.appendingPathComponent("broker")
        let (port, tlsPort) = (try FreePort.find(), try FreePort.find())
        // An empty list first: with crlfile set, OpenSSL needs one to accept anybody.
        let first = try await CommandRun.flotilla([
            "broker", "crl", "--crl", crl.path, "--ca-cert", certs.caFile.path, "--ca-key", certs.caKey.path,
        ])
        #expect(first.status == 0, "\(first.output)")
        let initRun = try await CommandRun.flotilla(
            ["broker", "init", "--out", dir.path, "--port", String(port), "--user", ProcessInfo.processInfo.userName]
                + ["--spoke", "store-a", "--spoke", "store-b", "--tls-port", String(tlsPort), "--cafile", certs.caFile.path]
                + ["--certfile", certs.server.certFile.path, "--keyfile", certs.server.keyFile.path, "--crlfile", crl.path])
        #expect(initRun.status == 0, "\(initRun.output)")
        let layout = BrokerLayout(directory: dir)
        #expect(Self.lines(layout.configFile).contains("crlfile \(crl.path)"))
        let broker = try MosquittoBroker(configFile: layout.configFile, port: port)
        try FreePort.waitUntilListening(port: tlsPort, timeout: 10)
        let status = { (name: String) in Self.topics.status(name) }
        let ok = try await Self.publish(certs, tlsPort, as: "store-b", status("store-b"), Array("x".utf8))
        #expect(ok.status == 0 && !ok.output.contains("Not authorized"), "\(ok.output)")

        // Another spoke's certificate is refused: a slip of the finger must not lock store-a out.
        let wrong = try await CommandRun.flotilla([
            "broker", "remove-spoke", "--dir", dir.path, "--spoke", "store-a",
            "--certificate", try certs.client("store-b").certFile.path, "--ca-key", certs.caKey.path,
        ])
        #expect(wrong.status != 0 && wrong.output.contains("not of spoke \"store-a\""), "\(wrong.output)")
        #expect(try layout.spokes() == ["store-a", "store-b"], "nothing removed")

        let remove = try await CommandRun.flotilla([
            "broker", "remove-spoke", "--dir", dir.path, "--spoke", "store-b",
            "--certificate", try certs.client("store-b").certFile.path, "--ca-key", certs.caKey.path,
        ])
        #expect(remove.status == 0, "\(remove.output)")
        let serial = try await CommandRun.run(
            try Executable.find("openssl"), ["x509", "-in", try certs.client("store-b").certFile.path, "-noout", "-serial"])
        let hex = serial.output.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
        let listed = try await CommandRun.run(try Executable.find("openssl"), ["crl", "-in", crl.path, "-noout", "-text"])
        #expect(listed.output.uppercased().contains(hex.uppercased()), "\(listed.output)")
        // Before the reload the broker still uses the list it read at start.
        broker.reload()
        try await eventually("store-b's certificate fails the handshake", timeout: 20) {
            try await Self.publish(certs, tlsPort, as: "store-b", status("store-b"), Array("x".utf8)).status != 0
        }
        #expect(broker.log.contains("certificate verify failed"), "the broker names the refusal")
        let a = try await Self.publish(certs, tlsPort, as: "store-a", status("store-a"), Array("x".utf8))
        #expect(a.status == 0 && !a.output.contains("Not authorized"), "store-a is not revoked: \(a.output)")
        // Revoking again, and renewing the list, keep store-b in it.
        let renew = try await CommandRun.flotilla(["broker", "crl", "--dir", dir.path, "--ca-key", certs.caKey.path])
        #expect(renew.status == 0, "\(renew.output)")
        let again = try await CommandRun.run(try Executable.find("openssl"), ["crl", "-in", crl.path, "-noout", "-text"])
        #expect(again.output.uppercased().contains(hex.uppercased()))
        broker.stop()
    }

    // MARK: a broker started by root

    static var rootWithMosquittoAccount: Bool { geteuid() == 0 && (try? BrokerAccount.named("mosquitto")) != nil }

    struct Owner: Equatable, CustomStringConvertible {
        var uid: uid_t
        var gid: gid_t
        var mode: Int
        var description: String { "\(uid):\(gid) \(String(mode, radix: 8))" }
    }

    static func owner(_ url: URL) throws -> Owner {
        var info = stat()
        guard stat(url.path, &info) == 0 else { throw TestSupportError("stat \(url.path): \(String(cString: strerror(errno)))") }
        return Owner(uid: info.st_uid, gid: info.st_gid, mode: Int(info.st_mode & 0o7777))
    }

    @Test(.enabled(if: rootWithMosquittoAccount, "needs root and the mosquitto account (the broker switches from root to it)"))
    func aBrokerStartedByRootByItsUnitRunsAsMosquittoAndRereadsItsFilesAfterRemoveSpoke() async throws {
        let account = try BrokerAccount.named("mosquitto")
        let root = try TemporaryDirectory.make(prefix: "broker-root")
        defer { try? FileManager.default.removeItem(at: root) }
        let certs = try TestCertificates(at: root.appendingPathComponent("pki"))
        let dir = root.appendingPathComponent("flotilla-broker")
        let (port, tlsPort) = (try FreePort.find(), try FreePort.find())
        let initArguments =
            ["broker", "init", "--out", dir.path, "--port", String(port), "--spoke", "store-a", "--spoke", "store-b"]
            + ["--tls-port", String(tlsPort), "--cafile", certs.caFile.path, "--certfile", certs.server.certFile.path]
            + ["--keyfile", certs.server.keyFile.path]

        // Root's default account is mosquitto, which cannot read a key only root may read: refused, nothing written.
        let refused = try await CommandRun.flotilla(initArguments)
        #expect(refused.status != 0 && refused.output.contains("cannot read the TLS key file"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: dir.path))
        #expect(chown(certs.server.keyFile.path, 0, account.gid) == 0 && chmod(certs.server.keyFile.path, 0o640) == 0)
        let run = try await CommandRun.flotilla(initArguments)
        #expect(run.status == 0, "\(run.output)")
        let layout = BrokerLayout(directory: dir)
        #expect(Self.lines(layout.configFile).contains("user mosquitto"))
        // Who owns what: the broker's account reads its files and writes its own.
        for file in [layout.configFile, layout.aclFile, layout.passwordFile] {
            #expect(try Self.owner(file) == Owner(uid: 0, gid: account.gid, mode: 0o640), "\(file.lastPathComponent)")
        }
        #expect(try Self.owner(dir) == Owner(uid: 0, gid: account.gid, mode: 0o750))
        #expect(try Self.owner(layout.dataDirectory) == Owner(uid: account.uid, gid: account.gid, mode: 0o700))
        for file in [layout.logFile, layout.pidFile] {
            #expect(try Self.owner(file).uid == account.uid, "\(file.lastPathComponent)")
        }
        #expect(try Self.owner(layout.credentialsDirectory) == Owner(uid: 0, gid: 0, mode: 0o700))
        #expect(try Self.owner(layout.credentialsFile(for: "store-b")).mode == 0o600)

        // Started as the unit starts it, by root.
        let unit = SystemdUnitTests.map(
            try SystemdUnitTests.execStart("flotilla-broker.service", instance: ""), [("/srv/flotilla-broker", dir.path)])
        let broker = try ChildProcess(executable: unit[0], arguments: Array(unit.dropFirst()), logFile: root.appendingPathComponent("stderr.log"))
        defer { broker.kill() }
        try FreePort.waitUntilListening(port: port, timeout: 10)
        try FreePort.waitUntilListening(port: tlsPort, timeout: 10)
        let statusLine = try String(contentsOfFile: "/proc/\(broker.pid)/status", encoding: .utf8).split(separator: "\n")
        let uids = try #require(statusLine.first { $0.hasPrefix("Uid:") }).split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst()
        #expect(uids.map { uid_t($0) ?? .max } == Array(repeating: account.uid, count: 4), "real, effective, saved, fs uid: \(uids)")

        let password = { (name: String) in try layout.password(for: name) }
        let hubPassword = try password("hub")
        let publishRetained = { (spoke: String) in
            try await CommandRun.mosquittoPub(
                port: port, credentials: ("hub", hubPassword), ["-q", "1", "-r", "-t", Self.topics.desired(spoke), "-m", "bundle"])
        }
        #expect(try await publishRetained("store-a").status == 0)
        #expect(try await publishRetained("store-b").status == 0)
        for spoke in ["store-a", "store-b"] {
            let plain = try await CommandRun.mosquittoPub(
                port: port, credentials: (spoke, try password(spoke)), ["-q", "1", "-t", Self.topics.status(spoke), "-m", "x"])
            #expect(plain.status == 0, "\(spoke): \(plain.output)")
            let tls = try await Self.receive(certs, tlsPort, as: spoke, Self.topics.desired(spoke))
            #expect(Self.received(tls, Self.topics.desired(spoke)), "\(spoke): \(tls.output)")
        }
        let passwordB = try password("store-b")

        let remove = try await CommandRun.flotilla(["broker", "remove-spoke", "--dir", dir.path, "--spoke", "store-b"])
        #expect(remove.status == 0, "\(remove.output)")
        for file in [layout.aclFile, layout.passwordFile] {
            #expect(try Self.owner(file) == Owner(uid: 0, gid: account.gid, mode: 0o640), "after the rewrite, \(file.lastPathComponent)")
        }
        #expect(kill(broker.pid, SIGHUP) == 0)
        let log = { (try? String(contentsOf: layout.logFile, encoding: .utf8)) ?? "" }
        try await eventually("the broker re-read its files", timeout: 10) { log().contains("Reloading config.") }
        try await eventually("store-b's password is refused", timeout: 20) {
            let r = try await CommandRun.mosquittoPub(
                port: port, credentials: ("store-b", passwordB), ["-q", "1", "-t", Self.topics.status("store-b"), "-m", "x"])
            return r.status != 0 && r.output.contains("not authorised")
        }
        try await eventually("store-b's certificate reads nothing", timeout: 20) {
            try await !Self.received(Self.receive(certs, tlsPort, as: "store-b", Self.topics.desired("store-b"), wait: 2), Self.topics.desired("store-b"))
        }
        let a = try await Self.receive(certs, tlsPort, as: "store-a", Self.topics.desired("store-a"))
        #expect(Self.received(a, Self.topics.desired("store-a")), "\(a.output)")
        let aPlain = try await CommandRun.mosquittoPub(
            port: port, credentials: ("store-a", try password("store-a")), ["-q", "1", "-t", Self.topics.status("store-a"), "-m", "x"])
        #expect(aPlain.status == 0, "\(aPlain.output)")
        let text = log()
        for word in ["Unable to open", "ermission denied", "Error"] {
            #expect(!text.contains(word), "broker log has \"\(word)\":\n\(text.suffix(3000))")
        }

        // A clean stop saves the database as mosquitto, in its own directory.
        #expect(broker.terminate() == 0, "\(broker.output)")
        let db = layout.dataDirectory.appendingPathComponent("mosquitto.db")
        #expect(FileManager.default.fileExists(atPath: db.path))
        #expect(try Self.owner(db).uid == account.uid)
    }
}
