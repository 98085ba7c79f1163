import FlotillaAgent
import FlotillaBrokerSetup
import FlotillaHub
import FlotillaMQTT
import FlotillaModel
import FlotillaWire
import FlotillaStore
import FlotillaTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 4: a broker from `flotilla broker init` isolates spokes from each other and refuses
/// anonymous clients; agents refuse every bundle the hub did not sign for them, report it, and
/// keep running what they had. Checked with mosquitto's own clients and with the product's.
@Suite(.serialized)
struct SecurityTests {
    static let topics = Topics()

    static func fleet(_ h: FleetHarness, spokes: [String], value: String = "v1") throws {
        try h.write(
            "inventory.yaml",
            FleetYAML.documents(spokes.map { FleetYAML.spoke($0, labels: ["site": "store"]) }.joined(separator: "\n---\n")))
        try h.write("policy.yaml", FleetYAML.policy("stores", spokeLabel: ("site", "store"), app: "web"))
        try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": value]))
    }

    static func credentials(_ h: FleetHarness, _ user: String) throws -> (String, String) {
        (user, try #require(h.brokerLayout).password(for: user))
    }

    static func mode(_ url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (try #require(attributes[.posixPermissions] as? Int)) & 0o777
    }

    /// File name → contents of a `dir:` applier's directory.
    static func snapshot(_ directory: String) throws -> [String: String] {
        var out: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            out[name] = try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)
        }
        return out
    }

    /// Password-file line of each user.
    static func passwdLines(_ layout: BrokerLayout) throws -> [String: String] {
        var out: [String: String] = [:]
        for line in try String(contentsOf: layout.passwordFile, encoding: .utf8).split(separator: "\n") {
            out[String(line.prefix { $0 != ":" })] = String(line)
        }
        return out
    }

    static func report(seq: Int64, _ message: String) -> [UInt8] {
        StatusReport(seq: seq, epoch: "probe", kind: .event, message: message, time: 0).encoded()
    }

    static func hubConnected(_ hub: Running<Hub>) async throws {
        try await eventually("hub connected to the broker", timeout: 15) { try await hub.service.statusSnapshot().hub.brokerConnected }
    }

    // MARK: broker init, add-spoke, remove-spoke

    @Test func brokerInitWritesALockedDownDirectory() async throws {
        let root = try TemporaryDirectory.make(prefix: "broker-init")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("broker")
        let port = try FreePort.find()
        let run = try await CommandRun.flotilla([
            "broker", "init", "--out", dir.path, "--port", String(port), "--spoke", "store-a", "--spoke", "store-b",
        ])
        #expect(run.status == 0, "\(run.output)")
        let layout = BrokerLayout(directory: dir)
        #expect(try layout.users() == ["hub", "store-a", "store-b"])
        #expect(try layout.spokes() == ["store-a", "store-b"])
        #expect(try Self.mode(layout.credentialsDirectory) == 0o700)
        var passwords: [String: String] = [:]
        for user in ["hub", "store-a", "store-b"] {
            #expect(try Self.mode(layout.credentialsFile(for: user)) == 0o600, "\(user)")
            let password = try layout.password(for: user)
            #expect(password.count >= 43, "\(user)")
            #expect(password.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }, "\(user)")
            passwords[user] = password
        }
        #expect(Set(passwords.values).count == 3)
        let passwd = try String(contentsOf: layout.passwordFile, encoding: .utf8)
        for password in passwords.values { #expect(!passwd.contains(password)) }
        #expect(passwd.contains("store-a:$7$"), "PBKDF2-SHA512 hashes from mosquitto_passwd")
        // Root's broker switches to mosquitto; anyone else's runs as them.
        let account = geteuid() == 0 ? "mosquitto" : ProcessInfo.processInfo.userName
        let conf = Set(try String(contentsOf: layout.configFile, encoding: .utf8).split(separator: "\n").map(String.init))
        for line in [
            "allow_anonymous false", "listener \(port) 127.0.0.1", "use_username_as_clientid true",
            "password_file \(layout.passwordFile.path)", "acl_file \(layout.aclFile.path)",
            "persistence_location \(layout.dataDirectory.path)/", "max_inflight_messages 500", "user \(account)",
        ] {
            #expect(conf.contains(line), "mosquitto.conf lacks \"\(line)\"")
        }
        // The ACL is an allow list: the hub and one section per spoke, no pattern for every username.
        let acl = try String(contentsOf: layout.aclFile, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(!acl.contains { $0.hasPrefix("pattern") }, "\(acl)")
        #expect(try layout.aclSpokes() == ["store-a", "store-b"])
        for line in [
            "user hub", "topic readwrite flotilla/v1/#", "user store-a", "topic read flotilla/v1/spokes/store-a/desired",
            "topic read flotilla/v1/spokes/store-a/ack", "topic write flotilla/v1/spokes/store-a/status",
            "topic write flotilla/v1/spokes/store-a/presence", "user store-b",
        ] {
            #expect(acl.contains(line), "acl lacks \"\(line)\"")
        }

        let broker = try MosquittoBroker(configFile: layout.configFile, port: port)
        let own = try await CommandRun.mosquittoPub(
            port: port, credentials: ("store-a", passwords["store-a"]!), ["-q", "1", "-t", Self.topics.status("store-a"), "-m", "x"])
        #expect(own.status == 0, "\(own.output)")
        // Another client's password does not open this account.
        let borrowed = try await CommandRun.mosquittoPub(
            port: port, credentials: ("store-a", passwords["store-b"]!), ["-q", "1", "-t", Self.topics.status("store-a"), "-m", "x"])
        #expect(borrowed.status != 0)
        #expect(borrowed.output.contains("not authorised"), "\(borrowed.output)")
        broker.stop()
        #expect(FileManager.default.fileExists(atPath: layout.dataDirectory.appendingPathComponent("mosquitto.db").path))

        let again = try await CommandRun.flotilla(["broker", "init", "--out", dir.path, "--port", String(port), "--spoke", "store-c"])
        #expect(again.status != 0)
        #expect(again.output.contains("already holds a broker configuration"), "\(again.output)")
        #expect(try layout.password(for: "store-a") == passwords["store-a"])
        #expect(try layout.users() == ["hub", "store-a", "store-b"])
    }

    @Test func brokerInitListsEveryBadSpokeNameAndWritesNothing() async throws {
        let root = try TemporaryDirectory.make(prefix: "broker-init-bad")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("broker")
        let run = try await CommandRun.flotilla([
            "broker", "init", "--out", dir.path, "--port", "1883",
            "--spoke", "hub", "--spoke", "Store_A", "--spoke", "a+b", "--spoke", "ok-1", "--spoke", "ok-1",
        ])
        #expect(run.status != 0)
        for fragment in ["\"hub\" is reserved", "\"Store_A\" is not a DNS-1123 label", "\"a+b\" is not", "\"ok-1\" is given twice"] {
            #expect(run.output.contains(fragment), "missing \(fragment) in \(run.output)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path))
        #expect(throws: BrokerSetupError.self) { try BrokerLayout.validate(spokes: ["a/b"]) }
        #expect(throws: BrokerSetupError.self) { try BrokerLayout.validate(spokes: ["a#"]) }
        #expect(throws: Never.self) { try BrokerLayout.validate(spokes: ["store-0042", "a"]) }
    }

    @Test func brokerInitReportsAMissingOrFailingMosquittoPasswdAndLeavesNothingBehind() throws {
        let root = try TemporaryDirectory.make(prefix: "broker-init-tool")
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(throws: BrokerSetupError.passwordToolMissing(searched: ["/nonexistent/mosquitto_passwd"])) {
            try MosquittoPasswd(executable: "/nonexistent/mosquitto_passwd")
        }
        let dir = root.appendingPathComponent("nested/broker")
        do {
            try BrokerLayout.create(at: dir, port: 1883, spokes: ["store-a"], passwd: try MosquittoPasswd(executable: "/bin/false"))
            Issue.record("init succeeded although mosquitto_passwd failed")
        } catch {
            guard case .passwordToolFailed(let command, let status, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(command.contains("mosquitto_passwd"))
            #expect(status == 1)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path))
        // With the real tool, missing parent directories are created.
        let layout = try BrokerLayout.create(at: dir, port: 1883, spokes: ["store-a"], passwd: try MosquittoPasswd())
        #expect(try layout.users() == ["hub", "store-a"])
    }

    @Test func addAndRemoveSpokeChangeOnlyThatSpoke() async throws {
        let h = try FleetHarness(securedSpokes: ["store-a"])
        let layout = try #require(h.brokerLayout)
        let before = try Self.passwdLines(layout)
        let passwordA = try layout.password(for: "store-a")
        let passwordHub = try layout.password(for: "hub")

        let add = try await CommandRun.flotilla(["broker", "add-spoke", "--dir", layout.directory.path, "--spoke", "store-b"])
        #expect(add.status == 0, "\(add.output)")
        let afterAdd = try Self.passwdLines(layout)
        #expect(afterAdd["store-a"] == before["store-a"])
        #expect(afterAdd["hub"] == before["hub"])
        #expect(afterAdd["store-b"] != nil)
        #expect(try layout.password(for: "store-a") == passwordA)
        #expect(try layout.password(for: "hub") == passwordHub)
        #expect(try Self.mode(layout.credentialsFile(for: "store-b")) == 0o600)
        #expect(try layout.aclSpokes() == ["store-a", "store-b"], "add-spoke gives the spoke its ACL section")
        #expect(try Self.mode(layout.aclFile) == 0o600)

        let b = try Self.credentials(h, "store-b")
        let bStatus = ["-q", "1", "-t", Self.topics.status("store-b"), "-m", "x"]
        h.broker.reload()
        try await eventually("store-b may log in after SIGHUP", timeout: 10) {
            try await CommandRun.mosquittoPub(port: h.broker.port, credentials: b, bStatus).status == 0
        }

        let duplicate = try await CommandRun.flotilla(["broker", "add-spoke", "--dir", layout.directory.path, "--spoke", "store-a"])
        #expect(duplicate.status != 0)
        #expect(duplicate.output.contains("already has credentials"), "\(duplicate.output)")
        #expect(try layout.password(for: "store-a") == passwordA)

        let remove = try await CommandRun.flotilla(["broker", "remove-spoke", "--dir", layout.directory.path, "--spoke", "store-b"])
        #expect(remove.status == 0, "\(remove.output)")
        #expect(!FileManager.default.fileExists(atPath: layout.credentialsFile(for: "store-b").path))
        #expect(try Self.passwdLines(layout) == before)
        #expect(try layout.aclSpokes() == ["store-a"], "remove-spoke takes the ACL section away")
        h.broker.reload()
        try await eventually("store-b is refused after SIGHUP", timeout: 10) {
            try await CommandRun.mosquittoPub(port: h.broker.port, credentials: b, bStatus).status != 0
        }
        let a = try await CommandRun.mosquittoPub(
            port: h.broker.port, credentials: ("store-a", passwordA), ["-q", "1", "-t", Self.topics.status("store-a"), "-m", "x"])
        #expect(a.status == 0, "\(a.output)")

        let hubRemoval = try await CommandRun.flotilla(["broker", "remove-spoke", "--dir", layout.directory.path, "--spoke", "hub"])
        #expect(hubRemoval.status != 0)
        #expect(try layout.password(for: "hub") == passwordHub)
    }

    // MARK: authentication and isolation at the broker

    @Test(.timeLimit(.minutes(1))) func anonymousAndWrongPasswordClientsAreRefused() async throws {
        let h = try FleetHarness(securedSpokes: ["store-a"])
        let port = h.broker.port
        let sub = try await CommandRun.mosquittoSub(port: port, credentials: nil, ["-t", "#", "-C", "1", "-W", "5"])
        #expect(sub.status != 0)
        #expect(sub.output.contains("not authorised"), "\(sub.output)")
        let pub = try await CommandRun.mosquittoPub(
            port: port, credentials: nil, ["-q", "1", "-r", "-t", Self.topics.desired("store-a"), "-m", "evil"])
        #expect(pub.status != 0)
        #expect(pub.output.contains("not authorised"), "\(pub.output)")

        for (user, password) in [(nil, nil), ("store-a", "wrong"), ("nobody", "x")] as [(String?, String?)] {
            let client = try MQTTClient(
                configuration: MQTTConfiguration(
                    host: "127.0.0.1", port: port, clientID: "intruder", username: user, password: password, cleanStart: true,
                    sessionExpiry: 0, reconnectMin: 0.1, reconnectMax: 0.5))
            client.start()
            var outcome: MQTTEvent?
            for await event in client.events {
                outcome = event
                break
            }
            await client.stop()
            guard case .connectFailed(let error)? = outcome else {
                Issue.record("\(user ?? "anonymous") was not refused: \(String(describing: outcome))")
                continue
            }
            #expect(error.code == .notAuthorized, "\(error)")
        }
    }

    @Test func spokeCannotReceiveAnotherSpokesBundle() async throws {
        let h = try FleetHarness(securedSpokes: ["store-a", "store-b"])
        try Self.fleet(h, spokes: ["store-a", "store-b"])
        let hub = try h.startHub(signingKey: SigningKey())
        try await eventually("both bundles published") { try await hub.service.store.publications().count == 2 }
        let a = try Self.credentials(h, "store-a")
        let (desiredA, desiredB) = (Self.topics.desired("store-a"), Self.topics.desired("store-b"))

        // B's filter comes first in the SUBSCRIBE, so B's retained bundle would be queued before
        // A's. The first message being A's own shows B's was withheld, without waiting for silence.
        let sub = try await CommandRun.mosquittoSub(
            port: h.broker.port, credentials: a, ["-q", "1", "-t", desiredB, "-t", desiredA, "-F", "%t", "-C", "1", "-W", "10"])
        #expect(sub.status == 0, "\(sub.output)")
        #expect(sub.output.split(separator: "\n").map(String.init) == [desiredA])

        // The same with the product's client, in two SUBSCRIBE packets, B's first.
        let probe = try MQTTProbe(port: h.broker.port, clientID: "store-a", username: a.0, password: a.1)
        try await probe.subscribe(desiredB)
        try await probe.subscribe(desiredA)
        try await eventually("store-a's own bundle arrives") { !probe.messages(on: desiredA).isEmpty }
        #expect(probe.messages(on: desiredB).isEmpty)
        await probe.close()
        await hub.stop()
    }

    @Test func spokeCannotSpeakForAnotherSpoke() async throws {
        let h = try FleetHarness(securedSpokes: ["store-a", "store-b"])
        try Self.fleet(h, spokes: ["store-a", "store-b"])
        let hub = try h.startHub()
        try await Self.hubConnected(hub)
        let a = try Self.credentials(h, "store-a")
        let store = hub.service.store

        // MQTT 5 publishers hear about the denial; the message is dropped either way.
        let forbidden = try await CommandRun.mosquittoPub(
            port: h.broker.port, credentials: a,
            ["-V", "5", "-q", "1", "-t", Self.topics.status("store-b"), "-m", String(decoding: Self.report(seq: 1, "forged"), as: UTF8.self)])
        #expect(forbidden.output.contains("Not authorized"), "\(forbidden.output)")
        // Then a report on A's own topic: once the hub has it, anything published before it has arrived too.
        let own = try await CommandRun.mosquittoPub(
            port: h.broker.port, credentials: a,
            ["-q", "1", "-t", Self.topics.status("store-a"), "-m", String(decoding: Self.report(seq: 1, "own"), as: UTF8.self)])
        #expect(own.status == 0, "\(own.output)")
        try await eventually("hub stored store-a's own report") { try await store.reportCount(spoke: "store-a") == 1 }
        #expect(try await store.reportCount(spoke: "store-b") == 0)

        let probe = try MQTTProbe(port: h.broker.port, clientID: "store-a", username: a.0, password: a.1)
        for (topic, payload, retain) in [
            (Self.topics.status("store-b"), Self.report(seq: 2, "forged"), false),
            (Self.topics.presence("store-b"), Presence(state: .online).encoded(), true),
        ] {
            do {
                try await probe.publish(topic, payload, retain: retain)
                Issue.record("the broker accepted store-a's publish on \(topic)")
            } catch let error as MQTTError {
                #expect(error.code == .rejected(reasonCode: 135), "\(error)")
            }
        }
        try await probe.publish(Self.topics.status("store-a"), Self.report(seq: 2, "own"))
        try await eventually("hub stored store-a's second report") { try await store.reportCount(spoke: "store-a") == 2 }
        #expect(try await store.reportCount(spoke: "store-b") == 0)
        #expect(try await store.spokes().first { $0.name == "store-b" }?.online != true)
        await probe.close()
        await hub.stop()
    }

    // MARK: refused bundles

    enum Attack: String, CaseIterable, Sendable, CustomStringConvertible {
        /// A bundle signed by a key the agent does not trust.
        case forged
        /// The hub's genuine bundle with one byte of its compressed payload flipped.
        case tampered
        /// The hub's genuine, validly signed bundle for store-b, on store-a's topic.
        case wrongSpoke
        /// store-a's genuine generation 1, after it has applied generation 2.
        case replayed

        var description: String { rawValue }
    }

    static func evilPayload() -> [UInt8] {
        let object: [String: Value] = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "evil", "namespace": "default"]]
        return SpokeBundle(items: [
            .init(ref: ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "evil"), object: object)
        ]).payload
    }

    /// Offset of the middle byte of an envelope's compressed payload.
    static func payloadMiddle(_ envelope: [UInt8]) -> Int {
        func u32(_ at: Int) -> Int { envelope[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        let headerLength = u32(4)
        let payloadLength = u32(8 + headerLength)
        return 8 + headerLength + 4 + payloadLength / 2
    }

    @Test(arguments: Attack.allCases)
    func refusedBundleIsReportedAndTheSpokeKeepsItsLastGoodBundle(_ attack: Attack) async throws {
        let h = try FleetHarness(securedSpokes: ["store-a", "store-b"])
        try Self.fleet(h, spokes: ["store-a", "store-b"])
        let key = SigningKey()
        var hub = try h.startHub(signingKey: key)
        let agent = try await h.startAgent("store-a", trustedKeys: [key.verifyingKey])
        try await eventually("store-a applied generation 1") { try await agent.service.store.inspect().appliedGeneration == 1 }
        let generation1 = try #require(try await hub.service.store.publications().first { $0.spoke == "store-a" })
        try Self.fleet(h, spokes: ["store-a", "store-b"], value: "v2")
        try await eventually("hub saw store-a apply generation 2") {
            try await hub.service.statusSnapshot().spokes.first { $0.name == "store-a" }?.appliedGeneration == 2
        }
        let publications = try await hub.service.store.publications()
        let current = try #require(publications.first { $0.spoke == "store-a" })
        let forB = try #require(publications.first { $0.spoke == "store-b" })

        let bytes: [UInt8]
        let reason: String
        switch attack {
        case .forged:
            bytes = try Envelope(spoke: "store-a", generation: 100, payload: Self.evilPayload()).encode(signingWith: SigningKey())
            reason = "untrusted signer"
        case .tampered:
            var t = current.envelope
            t[Self.payloadMiddle(t)] ^= 0x01
            bytes = t
            reason = "bad signature"
        case .wrongSpoke:
            bytes = forB.envelope
            reason = "bundle is for spoke \"store-b\", not \"store-a\""
        case .replayed:
            bytes = generation1.envelope
            reason = "generation 1 is older than stored generation 2"
        }
        let filesBefore = try Self.snapshot(h.manifests(of: "store-a"))
        #expect(filesBefore.values.contains { $0.contains("value: v2") })
        let before = try await agent.service.store.inspect()

        // Only the hub's user may write a bundle topic, and use_username_as_clientid gives that
        // user one session: stop the hub so that the injection does not fight it for the session.
        await hub.stop()
        let file = h.directory.appendingPathComponent("attack.bin")
        try Data(bytes).write(to: file)
        let inject = try await CommandRun.mosquittoPub(
            port: h.broker.port, credentials: try Self.credentials(h, BrokerLayout.hubUser),
            ["-q", "1", "-r", "-t", Self.topics.desired("store-a"), "-f", file.path])
        #expect(inject.status == 0, "\(inject.output)")
        try await eventually("store-a recorded the refusal") {
            try await agent.service.store.pending(limit: 1000).contains {
                let r = StatusReport.decode($0.body)
                return r?.kind == .refused && r?.message?.contains(reason) == true
            }
        }

        hub = try h.startHub(signingKey: key)
        try await eventually("the refusal reached the hub") {
            try await hub.service.store.reports(spoke: "store-a").contains { $0.kind == .refused && $0.message?.contains(reason) == true }
        }
        #expect(try await hub.service.store.spokes().first { $0.name == "store-a" }?.lastError?.contains(reason) == true)
        let after = try await agent.service.store.inspect()
        #expect(after.appliedGeneration == 2)
        #expect(after.storedGeneration == 2)
        #expect(after.appliedHash == before.appliedHash)
        #expect(try Self.snapshot(h.manifests(of: "store-a")) == filesBefore)
        await agent.stop()
        await hub.stop()
    }

    @Test func bundleOverTheAgentsLimitIsRefusedBeforeInflating() async throws {
        let h = try FleetHarness(securedSpokes: ["store-a"])
        try h.write("inventory.yaml", FleetYAML.spoke("store-a", labels: ["site": "store"]))
        try h.write("policy.yaml", FleetYAML.policy("stores", spokeLabel: ("site", "store"), app: "web"))
        try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": String(repeating: "x", count: 20_000)]))
        let keys = h.directory.appendingPathComponent("keys")
        let keygen = try await CommandRun.flotilla(["keygen", "--out", keys.path])
        #expect(keygen.status == 0, "\(keygen.output)")
        #expect(try Self.mode(keys.appendingPathComponent("hub.key")) == 0o600)
        let key = try SigningKey(base64: try String(contentsOf: keys.appendingPathComponent("hub.key"), encoding: .utf8))
        let hub = try h.startHub(signingKey: key)
        try await Self.hubConnected(hub)
        let layout = try #require(h.brokerLayout)
        let agent = try h.spawn(
            "agent-store-a",
            [
                "agent", "run", "--name", "store-a", "--state", h.agentState(of: "store-a"),
                "--applier", "dir:\(h.manifests(of: "store-a"))", "--hub-key", keys.appendingPathComponent("hub.pub").path,
                "--max-bundle-bytes", "4096", "--resend-interval", "1",
                "--broker", h.broker.url, "--username", "store-a", "--password-file", layout.credentialsFile(for: "store-a").path,
            ])
        try await eventually("the agent's refusal reached the hub") {
            try await hub.service.store.reports(spoke: "store-a").contains {
                $0.kind == .refused && $0.message?.contains("envelope too large: payload of") == true
                    && $0.message?.contains("> limit 4096") == true
            }
        }
        // The envelope itself is under the limit: the agent refused on the declared size, before inflating.
        let envelope = try #require(try await hub.service.store.publications().first { $0.spoke == "store-a" }).envelope
        #expect(envelope.count < 4096)
        #expect(h.manifestFiles(of: "store-a").isEmpty)
        agent.terminate()
        await hub.stop()
    }

    @Test func hubRefusesABundleOverItsLimitNamingTheSpoke() async throws {
        let h = try FleetHarness(securedSpokes: ["store-a", "store-b"])
        try h.write(
            "inventory.yaml",
            FleetYAML.documents(
                FleetYAML.spoke("store-a", labels: ["site": "store", "size": "big"]), FleetYAML.spoke("store-b", labels: ["site": "store"])))
        try h.write("policy.yaml", FleetYAML.policy("stores", spokeLabel: ("site", "store"), app: "web"))
        try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": "v1"]))
        let hub = try h.startHub(maxBundleBytes: 4096)
        try await eventually("both spokes on generation 1") {
            let spokes = try await hub.service.store.spokes()
            return spokes.count == 2 && spokes.allSatisfy { $0.generation == 1 }
        }
        try h.write("blob.yaml", FleetYAML.configMap("blob", app: "blob", data: ["value": String(repeating: "x", count: 10_000)]))
        try h.write("big-policy.yaml", FleetYAML.policy("big", spokeLabel: ("size", "big"), app: "blob"))
        try await eventually("hub refused store-a's bundle and finished the reload") {
            let recorded = try await hub.service.store.spokes().first { $0.name == "store-a" }?.planError != nil
            let sourceError = await hub.service.sourceError
            return recorded && sourceError?.contains("store-a") == true
        }
        let spokes = try await hub.service.store.spokes()
        let a = try #require(spokes.first { $0.name == "store-a" })
        let b = try #require(spokes.first { $0.name == "store-b" })
        #expect(a.planError?.contains("bundle for spoke store-a is") == true, "\(a.planError ?? "")")
        #expect(a.planError?.contains("over the limit of 4096") == true)
        #expect(a.generation == 1)
        #expect(b.planError == nil)
        #expect(b.generation == 1)
        #expect(await hub.service.sourceError?.contains("store-a") == true)
        let published = try #require(try await hub.service.store.publications().first { $0.spoke == "store-a" })
        #expect(try Envelope.decode(published.envelope, trustedKeys: [], maxBytes: 4096).header.generation == 1)
        await hub.stop()
    }

    // MARK: key rotation

    @Test func agentTrustingTwoKeysAcceptsBundlesSignedByEither() async throws {
        let h = try FleetHarness(securedSpokes: ["store-a", "store-c"])
        try Self.fleet(h, spokes: ["store-a", "store-c"])
        let old = SigningKey()
        let new = SigningKey()
        var hub = try h.startHub(signingKey: old)
        let rolled = try await h.startAgent("store-a", trustedKeys: [old.verifyingKey, new.verifyingKey])
        let notRolled = try await h.startAgent("store-c", trustedKeys: [old.verifyingKey])
        try await eventually("both applied generation 1, signed with the old key") {
            let a = try await rolled.service.store.inspect().appliedGeneration
            let c = try await notRolled.service.store.inspect().appliedGeneration
            return a == 1 && c == 1
        }
        await hub.stop()
        try Self.fleet(h, spokes: ["store-a", "store-c"], value: "v2")
        hub = try h.startHub(signingKey: new)
        try await eventually("store-a applied generation 2, signed with the new key") {
            try await rolled.service.store.inspect().appliedGeneration == 2
        }
        let text = try String(
            contentsOfFile: h.manifests(of: "store-a") + "/flotilla--default--configmap--web-config.yaml", encoding: .utf8)
        #expect(text.contains("value: v2"))
        // The control: an agent that trusts only the old key refuses, and says which key.
        try await eventually("store-c's refusal reached the hub") {
            try await hub.service.store.reports(spoke: "store-c").contains {
                $0.kind == .refused && $0.message?.contains("key \(new.keyID) is not trusted") == true
            }
        }
        #expect(try await notRolled.service.store.inspect().appliedGeneration == 1)
        await rolled.stop()
        await notRolled.stop()
        await hub.stop()
    }
}
