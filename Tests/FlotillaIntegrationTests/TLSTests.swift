import FlotillaAgent
import FlotillaBrokerSetup
import FlotillaHub
import FlotillaMQTT
import FlotillaModel
import FlotillaWire
import FlotillaStore
import FlotillaTestSupport
import Foundation
import Synchronization
import Testing

/// Issue 4, TLS: a broker listener that requires client certificates from the fleet's CA, where
/// the certificate's CN is the identity the ACL judges; hub and agents over `mqtts://`; and the
/// MQTT client's reports (with OpenSSL's reasons) and retries when a handshake fails.
@Suite(.serialized)
struct TLSTests {
    static let topics = Topics()

    /// Every event of a client, recorded by a task, so tests can wait with a deadline.
    final class EventRecorder: Sendable {
        let log = Mutex<[MQTTEvent]>([])
        let task: Mutex<Task<Void, Never>?> = Mutex(nil)

        init(_ client: MQTTClient) {
            let task = Task { [self] in
                for await event in client.events { log.withLock { $0.append(event) } }
            }
            self.task.withLock { $0 = task }
        }

        var failures: [MQTTError] {
            log.withLock { $0.compactMap { if case .connectFailed(let e) = $0 { e } else { nil } } }
        }
        var connects: Int {
            log.withLock { $0.count { if case .connected = $0 { true } else { false } } }
        }
        var disconnects: [String] {
            log.withLock { $0.compactMap { if case .disconnected(let r) = $0 { r } else { nil } } }
        }
    }

    static func client(port: Int32, clientID: String, tls: MQTTConfiguration.TLS?) throws(MQTTError) -> MQTTClient {
        try MQTTClient(
            configuration: MQTTConfiguration(
                host: "127.0.0.1", port: port, clientID: clientID, keepalive: 5, cleanStart: true, sessionExpiry: 0, tls: tls,
                reconnectMin: 0.05, reconnectMax: 0.2))
    }

    /// `mosquitto_sub`/`mosquitto_pub` against the TLS listener with `tlsArguments`.
    static func mosquitto(_ tool: String, port: Int32, _ tlsArguments: [String], _ arguments: [String]) async throws -> CommandRun {
        try await CommandRun.run(try Executable.find(tool), ["-h", "127.0.0.1", "-p", String(port)] + tlsArguments + arguments)
    }

    static func mode(_ url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (try #require(attributes[.posixPermissions] as? Int)) & 0o777
    }

    // MARK: fixtures

    @Test func testCertificatesChainToTheirOwnCAAndKeysArePrivate() async throws {
        let root = try TemporaryDirectory.make(prefix: "pki")
        defer { try? FileManager.default.removeItem(at: root) }
        let certs = try TestCertificates(at: root.appendingPathComponent("fleet"))
        let other = try TestCertificates(at: root.appendingPathComponent("other"), caName: "Some other CA")
        let storeA = try certs.client("store-a")
        #expect(try certs.client("store-a") == storeA, "issued once")
        for key in [certs.caKey, certs.server.keyFile, storeA.keyFile, try other.client("store-a").keyFile] {
            #expect(try Self.mode(key) == 0o600, "\(key.path)")
        }
        let openssl = try Executable.find("openssl")
        let own = try await CommandRun.run(
            openssl, ["verify", "-CAfile", certs.caFile.path, storeA.certFile.path, certs.server.certFile.path])
        #expect(own.status == 0, "\(own.output)")
        let foreign = try await CommandRun.run(openssl, ["verify", "-CAfile", certs.caFile.path, try other.client("store-a").certFile.path])
        #expect(foreign.status != 0)
        let subject = try await CommandRun.run(openssl, ["x509", "-in", storeA.certFile.path, "-noout", "-subject"])
        #expect(subject.output.contains("CN = store-a"), "\(subject.output)")
        let san = try await CommandRun.run(openssl, ["x509", "-in", certs.server.certFile.path, "-noout", "-ext", "subjectAltName"])
        #expect(san.output.contains("IP Address:127.0.0.1") && san.output.contains("DNS:localhost"), "\(san.output)")
    }

    // MARK: broker init --tls-port

    @Test func brokerInitAddsATLSListenerThatRequiresClientCertificates() async throws {
        let root = try TemporaryDirectory.make(prefix: "broker-init-tls")
        defer { try? FileManager.default.removeItem(at: root) }
        let certs = try TestCertificates(at: root.appendingPathComponent("pki"))
        let dir = root.appendingPathComponent("broker")
        let (port, tlsPort) = (try FreePort.find(), try FreePort.find())
        // The broker runs as this test's account, which can read the test CA's keys (root's default,
        // mosquitto, cannot: RevocationTests covers that).
        let tlsFlags = [
            "--cafile", certs.caFile.path, "--certfile", certs.server.certFile.path, "--keyfile", certs.server.keyFile.path,
            "--user", ProcessInfo.processInfo.userName,
        ]

        let incomplete = try await CommandRun.flotilla([
            "broker", "init", "--out", dir.path, "--port", String(port), "--spoke", "store-a", "--tls-port", String(tlsPort),
            "--cafile", certs.caFile.path,
        ])
        #expect(incomplete.status != 0)
        #expect(incomplete.output.contains("--tls-port needs --cafile, --certfile and --keyfile"), "\(incomplete.output)")
        let unreadable = try await CommandRun.flotilla(
            ["broker", "init", "--out", dir.path, "--port", String(port), "--spoke", "store-a", "--tls-port", String(tlsPort)]
                + ["--cafile", root.appendingPathComponent("missing-ca.crt").path, "--certfile", certs.server.certFile.path]
                + ["--keyfile", certs.server.keyFile.path])
        #expect(unreadable.status != 0)
        #expect(unreadable.output.contains("cannot read the TLS CA file \(root.path)/missing-ca.crt"), "\(unreadable.output)")
        let samePort = try await CommandRun.flotilla(
            ["broker", "init", "--out", dir.path, "--port", String(port), "--spoke", "store-a", "--tls-port", String(port)] + tlsFlags)
        #expect(samePort.status != 0)
        #expect(samePort.output.contains("port of its own"), "\(samePort.output)")
        #expect(!FileManager.default.fileExists(atPath: dir.path), "nothing written on a refused init")

        let run = try await CommandRun.flotilla(
            ["broker", "init", "--out", dir.path, "--port", String(port), "--spoke", "store-a", "--tls-port", String(tlsPort)] + tlsFlags)
        #expect(run.status == 0, "\(run.output)")
        let layout = BrokerLayout(directory: dir)
        let text = try String(contentsOf: layout.configFile, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let tlsSection = Array(lines.drop { $0 != "listener \(tlsPort) 127.0.0.1" })
        for line in [
            "listener \(tlsPort) 127.0.0.1", "cafile \(certs.caFile.path)", "certfile \(certs.server.certFile.path)",
            "keyfile \(certs.server.keyFile.path)", "require_certificate true", "use_identity_as_username true",
            "use_username_as_clientid true",
        ] {
            #expect(tlsSection.contains(line), "the TLS listener lacks \"\(line)\"")
        }
        #expect(lines.contains("listener \(port) 127.0.0.1"), "the plain listener stays")

        // mosquitto accepts the configuration: a spoke certificate works on the TLS listener, the
        // spoke's password on the plain one.
        let broker = try MosquittoBroker(configFile: layout.configFile, port: port)
        try FreePort.waitUntilListening(port: tlsPort, timeout: 10)
        let overTLS = try await Self.mosquitto(
            "mosquitto_pub", port: tlsPort, try certs.arguments(for: "store-a"),
            ["-q", "1", "-t", Self.topics.status("store-a"), "-m", "x"])
        #expect(overTLS.status == 0, "\(overTLS.output)")
        let plain = try await CommandRun.mosquittoPub(
            port: port, credentials: ("store-a", try layout.password(for: "store-a")),
            ["-q", "1", "-t", Self.topics.status("store-a"), "-m", "x"])
        #expect(plain.status == 0, "\(plain.output)")
        broker.stop()
    }

    // MARK: the fleet over TLS

    @Test func agentOverTLSAppliesItsBundleFromAHubOverTLSAndItsStatusReachesTheHub() async throws {
        let h = try FleetHarness(tlsSpokes: ["store-a", "store-b"])
        let certs = try #require(h.certificates)
        try SecurityTests.fleet(h, spokes: ["store-a", "store-b"])
        let keys = h.directory.appendingPathComponent("keys")
        let keygen = try await CommandRun.flotilla(["keygen", "--out", keys.path])
        #expect(keygen.status == 0, "\(keygen.output)")
        let key = try SigningKey(base64: try String(contentsOf: keys.appendingPathComponent("hub.key"), encoding: .utf8))

        // The hub in this process, with the `hub` certificate and no password.
        let hub = try h.startHub(signingKey: key)
        try await SecurityTests.hubConnected(hub)
        // store-a: the `flotilla` binary with --cafile/--cert/--key over mqtts://.
        let agentA = try h.spawn(
            "agent-store-a",
            [
                "agent", "run", "--name", "store-a", "--state", h.agentState(of: "store-a"),
                "--applier", "dir:\(h.manifests(of: "store-a"))", "--hub-key", keys.appendingPathComponent("hub.pub").path,
                "--resend-interval", "1", "--broker", h.brokerURL,
            ] + (try certs.arguments(for: "store-a")))
        // store-b: the agent library in this process.
        let agentB = try await h.startAgent("store-b", trustedKeys: [key.verifyingKey])

        try await eventually("both spokes' applied generation 1 reached the hub", timeout: 30) {
            let spokes = try await hub.service.statusSnapshot().spokes
            return ["store-a", "store-b"].allSatisfy { name in spokes.first { $0.name == name }?.appliedGeneration == 1 }
        }
        for spoke in ["store-a", "store-b"] {
            let file = h.manifests(of: spoke) + "/flotilla--default--configmap--web-config.yaml"
            #expect(try String(contentsOfFile: file, encoding: .utf8).contains("value: v1"), "\(spoke)")
        }
        #expect(try await hub.service.statusSnapshot().spokes.first { $0.name == "store-a" }?.online == true)
        // The broker knew each client by its certificate's CN (use_identity_as_username).
        let log = try String(contentsOf: try #require(h.brokerLayout).logFile, encoding: .utf8)
        for user in ["hub", "store-a", "store-b"] {
            #expect(log.contains("as \(user) (") && log.contains("u'\(user)'"), "no TLS login of \(user) in the broker log")
        }
        #expect(agentA.isRunning, "\(agentA.output)")
        agentA.terminate()
        await agentB.stop()
        await hub.stop()
    }

    @Test func clientsWithoutACertificateOrWithAnotherCAsCertificateAreRefused() async throws {
        let h = try FleetHarness(tlsSpokes: ["store-a"])
        let certs = try #require(h.certificates)
        let tlsPort = try #require(h.tlsPort)
        let other = try TestCertificates(at: h.directory.appendingPathComponent("other-pki"), caName: "Some other CA")
        let foreign = try other.client("store-a")
        let subscribe = ["-t", Self.topics.desired("store-a"), "-C", "1", "-W", "5"]

        // mosquitto's own client: no certificate, a certificate from another CA, no TLS at all.
        let noCert = try await Self.mosquitto("mosquitto_sub", port: tlsPort, ["--cafile", certs.caFile.path], subscribe)
        #expect(noCert.status != 0, "\(noCert.output)")
        let otherCA = try await Self.mosquitto(
            "mosquitto_sub", port: tlsPort,
            ["--cafile", certs.caFile.path, "--cert", foreign.certFile.path, "--key", foreign.keyFile.path], subscribe)
        #expect(otherCA.status != 0, "\(otherCA.output)")
        // The broker drops a plain client at once ("wrong version number"), but mosquitto_sub only
        // gives up at its -W deadline: keep that short.
        let plain = try await Self.mosquitto(
            "mosquitto_sub", port: tlsPort, [], ["-t", Self.topics.desired("store-a"), "-C", "1", "-W", "1"])
        #expect(plain.status != 0, "\(plain.output)")
        // The control: the fleet's certificate for store-a is let in.
        let own = try await Self.mosquitto(
            "mosquitto_pub", port: tlsPort, try certs.arguments(for: "store-a"),
            ["-q", "1", "-t", Self.topics.status("store-a"), "-m", "x"])
        #expect(own.status == 0, "\(own.output)")

        // The product's client: each refusal is a connectFailed event, and the client keeps trying.
        let refused: [(String, MQTTConfiguration.TLS, String)] = [
            ("no certificate", MQTTConfiguration.TLS(caFile: certs.caFile.path), "alert certificate required"),
            (
                "another CA's certificate",
                MQTTConfiguration.TLS(caFile: certs.caFile.path, certFile: foreign.certFile.path, keyFile: foreign.keyFile.path),
                "alert unknown ca"
            ),
        ]
        for (what, tls, alert) in refused {
            let client = try Self.client(port: tlsPort, clientID: "intruder", tls: tls)
            let events = EventRecorder(client)
            client.start()
            try await eventually("\(what): three refusals", timeout: 15) { events.failures.count >= 3 }
            await client.stop()
            #expect(events.connects == 0, "\(what) was let in")
            let failures = events.failures
            #expect(failures.allSatisfy { $0.operation == "connect to 127.0.0.1:\(tlsPort)" }, "\(failures)")
            // OpenSSL's words for the broker's alert, e.g. "The connection was lost in the TLS
            // handshake: OpenSSL Error[0]: error:0A00045C:SSL routines::tlsv13 alert certificate required".
            // In TLS 1.3 the client's handshake ends before the broker checks its certificate:
            // on a loaded machine the broker can close the socket before the alert is read, so
            // an attempt may end in a plain protocol error instead; one of three names the alert.
            #expect(failures.contains { $0.code == .tls && $0.message.contains(alert) }, "\(what): \(failures)")
            #expect(events.disconnects.isEmpty, "a connection that never got a CONNACK is reported once, as connectFailed")
        }
        let log = try String(contentsOf: try #require(h.brokerLayout).logFile, encoding: .utf8)
        #expect(log.contains("peer did not return a certificate"), "the broker names the missing certificate")
        #expect(!log.contains("as intruder"), "no refused client got a session")
    }

    @Test func aSpokesCertificateIdentityGovernsTheACL() async throws {
        let h = try FleetHarness(tlsSpokes: ["store-a", "store-b"])
        let certs = try #require(h.certificates)
        let tlsPort = try #require(h.tlsPort)
        try SecurityTests.fleet(h, spokes: ["store-a", "store-b"])
        let hub = try h.startHub(signingKey: SigningKey())
        try await eventually("both bundles published") { try await hub.service.store.publications().count == 2 }
        let (desiredA, desiredB) = (Self.topics.desired("store-a"), Self.topics.desired("store-b"))

        // store-a's certificate, claiming to be store-b by username: the certificate wins. B's
        // filter comes first, so B's retained bundle would arrive first if it were granted.
        let sub = try await Self.mosquitto(
            "mosquitto_sub", port: tlsPort, try certs.arguments(for: "store-a"),
            ["-u", "store-b", "-q", "1", "-t", desiredB, "-t", desiredA, "-F", "%t", "-C", "1", "-W", "10"])
        #expect(sub.status == 0, "\(sub.output)")
        #expect(sub.output.split(separator: "\n").map(String.init) == [desiredA])

        // The product's client with store-a's certificate, in two SUBSCRIBE packets, B's first.
        let client = try Self.client(port: tlsPort, clientID: "anything", tls: try certs.tls(for: "store-a"))
        let log = MessageLog()
        let reader = Task { for await m in client.messages { log.messages.withLock { $0.append(m) } } }
        client.start()
        try await eventually("store-a connected over TLS", timeout: 10) { client.isConnected }
        try client.subscribe(desiredB)
        try client.subscribe(desiredA)
        try await eventually("store-a's own bundle arrives") { log.messages.withLock { $0.contains { $0.topic == desiredA } } }
        #expect(log.messages.withLock { !$0.contains { $0.topic == desiredB } })

        // Nor may it speak for store-b: the broker refuses, the hub stores nothing for B.
        do {
            try await client.publish(topic: Self.topics.status("store-b"), payload: SecurityTests.report(seq: 1, "forged"))
            Issue.record("the broker accepted store-a's certificate publishing on store-b's status")
        } catch let error as MQTTError {
            #expect(error.code == .rejected(reasonCode: 135), "\(error)")
        }
        try await client.publish(topic: Self.topics.status("store-a"), payload: SecurityTests.report(seq: 1, "own"))
        try await eventually("hub stored store-a's own report") { try await hub.service.store.reportCount(spoke: "store-a") == 1 }
        #expect(try await hub.service.store.reportCount(spoke: "store-b") == 0)
        await client.stop()
        reader.cancel()
        await hub.stop()
    }

    // MARK: the MQTT client's TLS errors

    @Test func tlsConfigurationErrorsNameTheFileAndConnectErrorsCarryOpenSSLsReason() async throws {
        let h = try FleetHarness(tlsSpokes: ["store-a"])
        let certs = try #require(h.certificates)
        let tlsPort = try #require(h.tlsPort)
        let missing = h.directory.appendingPathComponent("no-such-ca.crt").path

        // An unreadable file: refused when the client is made, naming the file.
        do {
            _ = try Self.client(port: tlsPort, clientID: "x", tls: MQTTConfiguration.TLS(caFile: missing))
            Issue.record("a missing CA file was accepted")
        } catch {
            #expect(error.code == .tls)
            #expect(error.description.contains(missing) && error.description.contains("No such file"), "\(error)")
        }
        let storeA = try certs.client("store-a")
        do {
            _ = try Self.client(
                port: tlsPort, clientID: "x",
                tls: MQTTConfiguration.TLS(caFile: certs.caFile.path, certFile: storeA.certFile.path, keyFile: missing))
            Issue.record("a missing key file was accepted")
        } catch {
            #expect(error.description.contains("key file \(missing)"), "\(error)")
        }

        // The same through the command line, and TLS flags on a plain URL are refused, not ignored.
        let agentArguments = [
            "agent", "run", "--name", "store-a", "--state", h.agentState(of: "store-a"),
            "--applier", "dir:\(h.manifests(of: "store-a"))",
        ]
        let missingCA = try await CommandRun.flotilla(agentArguments + ["--broker", h.brokerURL, "--cafile", missing])
        #expect(missingCA.status != 0)
        #expect(missingCA.output.contains("cannot read CA file \(missing)"), "\(missingCA.output)")
        let noCA = try await CommandRun.flotilla(agentArguments + ["--broker", h.brokerURL])
        #expect(noCA.status != 0)
        #expect(noCA.output.contains("mqtts:// needs --cafile"), "\(noCA.output)")
        let plainURL = try await CommandRun.flotilla(
            agentArguments + ["--broker", h.broker.url] + (try certs.arguments(for: "store-a")))
        #expect(plainURL.status != 0)
        #expect(plainURL.output.contains("need an mqtts:// --broker"), "\(plainURL.output)")

        // Files that load but do not work: reported on each attempt with libmosquitto's and
        // OpenSSL's words, and retried.
        let other = try TestCertificates(at: h.directory.appendingPathComponent("other-pki"), caName: "Some other CA")
        let encryptedKey = h.directory.appendingPathComponent("encrypted.key")
        let openssl = try Executable.find("openssl")
        let encrypt = try await CommandRun.run(
            openssl, ["pkey", "-in", storeA.keyFile.path, "-aes256", "-passout", "pass:secret", "-out", encryptedKey.path])
        #expect(encrypt.status == 0, "\(encrypt.output)")
        let cases: [(String, MQTTConfiguration.TLS, String)] = [
            (
                "a server certificate from a CA the client does not trust",
                MQTTConfiguration.TLS(caFile: other.caFile.path, certFile: storeA.certFile.path, keyFile: storeA.keyFile.path),
                "certificate verify failed"
            ),
            (
                "a key that is not the certificate's",
                MQTTConfiguration.TLS(
                    caFile: certs.caFile.path, certFile: storeA.certFile.path, keyFile: try certs.client("hub").keyFile.path),
                "key"
            ),
            (
                "an encrypted key (no passphrase prompt)",
                MQTTConfiguration.TLS(caFile: certs.caFile.path, certFile: storeA.certFile.path, keyFile: encryptedKey.path),
                "key"
            ),
        ]
        for (what, tls, reason) in cases {
            let client = try Self.client(port: tlsPort, clientID: "x", tls: tls)
            let events = EventRecorder(client)
            client.start()
            try await eventually("\(what): three failures", timeout: 15) { events.failures.count >= 3 }
            await client.stop()
            #expect(events.connects == 0, "\(what)")
            let failure = events.failures[0]
            #expect(failure.code == .tls, "\(what): \(failure)")
            #expect(failure.message.contains(reason), "\(what): \(failure)")
            #expect(failure.message.contains("Error"), "\(what): libmosquitto's log is missing from \(failure)")
        }
    }

    @Test func aFailedHandshakeIsRetriedUntilTheBrokerSpeaksTLSAndALostTLSConnectionComesBack() async throws {
        // First a broker without TLS on the port: the client's handshake fails.
        let plain = try MosquittoBroker(persistence: false)
        let port = plain.port
        let dir = try TemporaryDirectory.make(prefix: "tls-broker")
        defer { try? FileManager.default.removeItem(at: dir) }
        let certs = try TestCertificates(at: dir.appendingPathComponent("pki"))
        let conf = dir.appendingPathComponent("mosquitto.conf")
        try """
        user \(ProcessInfo.processInfo.userName)
        persistence false
        log_dest file \(dir.path)/mosquitto.log
        log_type all
        listener \(port) 127.0.0.1
        cafile \(certs.caFile.path)
        certfile \(certs.server.certFile.path)
        keyfile \(certs.server.keyFile.path)
        require_certificate true
        use_identity_as_username true
        """.write(to: conf, atomically: true, encoding: .utf8)

        let client = try Self.client(port: port, clientID: "store-a", tls: try certs.tls(for: "store-a"))
        let events = EventRecorder(client)
        client.start()
        try await eventually("three failed handshakes against a plain listener", timeout: 15) { events.failures.count >= 3 }
        #expect(events.connects == 0)
        #expect(events.failures.allSatisfy { $0.code == .tls && $0.message.contains("OpenSSL Error") }, "\(events.failures)")

        // The loop thread is still there: once TLS is served on the port, the client gets in.
        plain.stop()
        let broker = try MosquittoBroker(configFile: conf, port: port)
        try await eventually("connected over TLS after the failures", timeout: 15) { events.connects == 1 }

        // And after losing a TLS connection it comes back too.
        broker.stop()
        try await eventually("the loss is reported", timeout: 10) { !events.disconnects.isEmpty }
        try broker.start()
        try await eventually("reconnected over TLS", timeout: 15) { events.connects == 2 }
        await client.stop()
        broker.stop()
    }
}
