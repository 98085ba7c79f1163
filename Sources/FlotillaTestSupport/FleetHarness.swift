import FlotillaAgent
import FlotillaBrokerSetup
import FlotillaHub
import FlotillaMQTT
import FlotillaModel
import FlotillaWire
import FlotillaStore
import Foundation
import Logging

/// A fleet under test: a real broker, a source directory, and hubs and agents run in-process
/// (as libraries) or as `flotilla` processes, all under one temporary directory.
public final class FleetHarness: @unchecked Sendable {
    // @unchecked: driven by one test at a time.
    public let broker: MosquittoBroker
    public let directory: URL
    public var source: URL { directory.appendingPathComponent("source") }
    public var hubState: String { directory.appendingPathComponent("hub.sqlite").path }
    public let logger: Logger
    /// The locked-down broker directory when the fleet runs on one; clients then log in with
    /// its credentials (the hub as `hub`, each agent as its spoke name).
    public let brokerLayout: BrokerLayout?
    /// The fleet's PKI when its broker has a TLS listener; clients then connect there with the
    /// certificate whose CN is their username (`hub`, or the spoke name) and no password.
    public let certificates: TestCertificates?
    /// The broker's TLS listener (client certificates required), when it has one.
    public let tlsPort: Int32?

    public init(persistence: Bool = true, brokerConfig: String = "") throws {
        broker = try MosquittoBroker(persistence: persistence, extraConfig: brokerConfig)
        brokerLayout = nil
        certificates = nil
        tlsPort = nil
        directory = try TemporaryDirectory.make(prefix: "fleet")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("source"), withIntermediateDirectories: true)
        logger = Self.makeLogger()
    }

    /// A fleet on a broker written by ``BrokerLayout`` (what `flotilla broker init` writes) under
    /// the fleet directory, with credentials for the hub and for `securedSpokes`.
    public init(securedSpokes: [String]) throws {
        directory = try TemporaryDirectory.make(prefix: "fleet")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("source"), withIntermediateDirectories: true)
        let port = try FreePort.find()
        let layout = try BrokerLayout.create(
            at: directory.appendingPathComponent("broker"), port: Int(port), spokes: securedSpokes, passwd: try MosquittoPasswd())
        brokerLayout = layout
        certificates = nil
        tlsPort = nil
        broker = try MosquittoBroker(configFile: layout.configFile, port: port)
        logger = Self.makeLogger()
    }

    /// A fleet on a broker from ``BrokerLayout`` with a TLS listener as well: a throw-away CA
    /// under the fleet directory signs the broker's certificate (127.0.0.1) and one client
    /// certificate for the hub and for each of `tlsSpokes`. Clients made by ``mqtt(clientID:username:)``
    /// use the TLS listener; the plain one (passwords) stays available as ``broker``'s `port`.
    public init(tlsSpokes: [String]) throws {
        directory = try TemporaryDirectory.make(prefix: "fleet")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("source"), withIntermediateDirectories: true)
        let certs = try TestCertificates(at: directory.appendingPathComponent("pki"))
        for name in [BrokerLayout.hubUser] + tlsSpokes { _ = try certs.client(name) }
        let port = try FreePort.find()
        var tls = try FreePort.find()
        while tls == port { tls = try FreePort.find() }
        let layout = try BrokerLayout.create(
            at: directory.appendingPathComponent("broker"), port: Int(port), spokes: tlsSpokes,
            tls: TLSListener(
                port: Int(tls), caFile: certs.caFile.path, certFile: certs.server.certFile.path, keyFile: certs.server.keyFile.path),
            passwd: try MosquittoPasswd())
        brokerLayout = layout
        certificates = certs
        tlsPort = tls
        broker = try MosquittoBroker(configFile: layout.configFile, port: port)
        try FreePort.waitUntilListening(port: tls, timeout: 10)
        logger = Self.makeLogger()
    }

    /// `--broker` for `flotilla` processes: the TLS listener when there is one.
    public var brokerURL: String {
        if let tlsPort { return "mqtts://127.0.0.1:\(tlsPort)" }
        return broker.url
    }

    static func makeLogger() -> Logger {
        var logger = Logger(label: "flotilla.test")
        logger.logLevel = ProcessInfo.processInfo.environment["FLOTILLA_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        return logger
    }

    /// Writes (or replaces) a source file.
    public func write(_ file: String, _ text: String) throws {
        let url = source.appendingPathComponent(file)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    public func manifests(of spoke: String) -> String { directory.appendingPathComponent("spokes/\(spoke)/manifests").path }
    public func agentState(of spoke: String) -> String { directory.appendingPathComponent("spokes/\(spoke).sqlite").path }

    /// Files the `dir:` applier has written for `spoke`, sorted.
    public func manifestFiles(of spoke: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: manifests(of: spoke))) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// A client configuration; on a secured broker it logs in as `username` with its password.
    public func mqtt(clientID: String, username: String? = nil) -> MQTTConfiguration {
        if let certificates, let tlsPort, let username {
            // The certificate is the identity: no username or password is sent.
            return MQTTConfiguration(
                host: "127.0.0.1", port: tlsPort, clientID: clientID, keepalive: 5, tls: try? certificates.tls(for: username),
                reconnectMin: 0.1, reconnectMax: 1)
        }
        var user: String?
        var password: String?
        if let brokerLayout, let username {
            user = username
            password = try? brokerLayout.password(for: username)
        }
        return MQTTConfiguration(
            host: "127.0.0.1", port: broker.port, clientID: clientID, username: user, password: password, keepalive: 5,
            reconnectMin: 0.1, reconnectMax: 1)
    }

    /// Starts a hub in this process (as user `hub` on a secured broker).
    /// `recoveryWindow` 0 keeps the window shut, as on a hub whose state file is not new;
    /// `logs` records what the hub logs.
    public func startHub(
        signingKey: SigningKey? = nil, maxBundleBytes: Int = 4 << 20, retainedReports: Int = 1_000_000, recoveryWindow: Double = 3600,
        retiredGrace: Double = 3600, logs: LogRecorder? = nil
    ) throws -> Running<Hub> {
        var configuration = HubConfiguration(
            sourceDirectory: source.path, mqtt: mqtt(clientID: "flotilla-hub", username: BrokerLayout.hubUser),
            statePath: hubState, signingKey: signingKey, pollInterval: 0.1, maxBundleBytes: maxBundleBytes)
        // Tests count stored rows; retention has tests of its own.
        configuration.retention = ReportRetention(perSpoke: retainedReports)
        configuration.recoveryWindow = recoveryWindow
        configuration.retiredGrace = retiredGrace
        let hub = try Hub(configuration: configuration, logger: logs?.logger(label: "flotilla.hub") ?? logger)
        return Running(hub) { try await hub.run() }
    }

    /// Starts an agent in this process (as user `spoke` on a secured broker); `brokerPort`
    /// points it at another broker (a site broker) on loopback.
    public func startAgent(
        _ spoke: String, trustedKeys: [VerifyingKey] = [], resendInterval: Double = 1, maxBundleBytes: Int = 4 << 20,
        brokerPort: Int32? = nil
    ) async throws -> Running<Agent> {
        var mqtt = mqtt(clientID: spoke, username: spoke)
        if let brokerPort { mqtt.port = brokerPort }
        let agent = try await Agent(
            configuration: AgentConfiguration(
                name: spoke, mqtt: mqtt, statePath: agentState(of: spoke),
                applier: DirApplier(directory: manifests(of: spoke)), trustedKeys: trustedKeys,
                maxBundleBytes: maxBundleBytes, resendInterval: resendInterval, reconcileInterval: 0),
            logger: logger)
        return Running(agent) { try await agent.run() }
    }

    /// Runs `flotilla ARGS…` as a child process, logging under the fleet directory.
    public func spawn(_ name: String, _ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(
            executable: try Executable.flotilla(), arguments: arguments,
            logFile: directory.appendingPathComponent("\(name).log"))
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

/// A service running in a task of the test process; ``stop()`` cancels it like SIGTERM would.
public struct Running<Service: Sendable>: Sendable {
    public let service: Service
    let task: Task<Void, any Error>

    init(_ service: Service, _ body: @escaping @Sendable () async throws -> Void) {
        self.service = service
        task = Task { try await body() }
    }

    public func stop() async {
        task.cancel()
        _ = await task.result
    }
}
