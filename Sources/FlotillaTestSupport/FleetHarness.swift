import FlotillaAgent
import FlotillaHub
import FlotillaMQTT
import FlotillaModel
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

    public init(persistence: Bool = true, brokerConfig: String = "") throws {
        broker = try MosquittoBroker(persistence: persistence, extraConfig: brokerConfig)
        directory = try TemporaryDirectory.make(prefix: "fleet")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("source"), withIntermediateDirectories: true)
        var logger = Logger(label: "flotilla.test")
        logger.logLevel = ProcessInfo.processInfo.environment["FLOTILLA_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
        self.logger = logger
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

    public func mqtt(clientID: String) -> MQTTConfiguration {
        MQTTConfiguration(host: "127.0.0.1", port: broker.port, clientID: clientID, keepalive: 5, reconnectMin: 0.1, reconnectMax: 1)
    }

    /// Starts a hub in this process.
    public func startHub(signingKey: SigningKey? = nil) throws -> Running<Hub> {
        let hub = try Hub(
            configuration: HubConfiguration(
                sourceDirectory: source.path, mqtt: mqtt(clientID: "flotilla-hub"), statePath: hubState, signingKey: signingKey,
                pollInterval: 0.1),
            logger: logger)
        return Running(hub) { try await hub.run() }
    }

    /// Starts an agent in this process.
    public func startAgent(_ spoke: String, trustedKeys: [VerifyingKey] = [], resendInterval: Double = 1) async throws -> Running<Agent> {
        let agent = try await Agent(
            configuration: AgentConfiguration(
                name: spoke, mqtt: mqtt(clientID: spoke), statePath: agentState(of: spoke),
                applier: DirApplier(directory: manifests(of: spoke)), trustedKeys: trustedKeys, resendInterval: resendInterval,
                reconcileInterval: 0),
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
