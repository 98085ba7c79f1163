import FlotillaMQTT
import FlotillaModel
import FlotillaWire
import Foundation
import Logging
import Synchronization

/// N simulated spokes in one process, each a real MQTT 5 client speaking the real protocol to
/// a real hub through a real broker, all driven by one ``EpollDriver`` thread: the load of a
/// large fleet on the hub and the broker, without a machine per spoke.
///
/// Each spoke verifies every bundle as the agent does (signature, inflate, hash, spoke name,
/// object names, generation) on the blocking pool, "applies" it with a null applier, and reports
/// `received` and `applied` through an in-memory outbox that only the hub's acks empty. Counts
/// in ``snapshot()`` are exact: tests and benchmarks assert that no report was lost.
///
/// ```swift
/// let sim = try FleetSimulator(configuration: FleetSimulatorConfiguration(spokes: names, mqtt: broker))
/// sim.start()
/// _ = try await sim.waitUntil("all applied", timeout: .seconds(60)) { $0.spokesApplied(atLeast: 1) == names.count }
/// await sim.stop()
/// ```
public final class FleetSimulator: Sendable {
    /// What simulated spokes announce as their agent version and applier.
    public static let agentVersion = "flotilla-sim"
    public static let applierName = "null"

    public let configuration: FleetSimulatorConfiguration
    /// The open-file limit in force (the driver raised the soft limit to the hard one).
    public let fileDescriptorLimit: FileDescriptorLimit
    /// The one epoll thread every connection runs on.
    let driver: any MQTTDriver
    let stopDriver: @Sendable () async -> Void
    let spokes: [SimulatedSpoke]
    let index: [String: Int]
    let tally: FleetTally
    let logger: Logger
    let tasks = Mutex(Tasks())

    struct Tasks {
        var readers: Task<Void, Never>?
        var control: Task<Void, Never>?
        var stopped = false
    }

    /// Open files `spokes` connections need: three each (the socket and libmosquitto's socket
    /// pair), and some to spare.
    public static func descriptorsNeeded(spokes: Int) -> UInt64 { UInt64(spokes) * 3 + 64 }

    /// Raises the open-file limit, checks that every spoke fits, and creates the connections;
    /// nothing touches the network until ``start()``.
    /// - Throws: ``SimulatorError`` (too few descriptors, a bad or repeated name, unreadable
    ///   credentials, an option libmosquitto refuses, not Linux), or ``MQTTError`` if epoll is
    ///   unavailable.
    public init(configuration: FleetSimulatorConfiguration, logger: Logger = Logger(label: "flotilla.sim")) throws {
        let names = configuration.spokes
        guard !names.isEmpty else { throw SimulatorError.noSpokes }
        var index: [String: Int] = [:]
        index.reserveCapacity(names.count)
        for (i, name) in names.enumerated() {
            guard Spoke.isValidName(name) else { throw SimulatorError.invalidName(name) }
            guard index.updateValue(i, forKey: name) == nil else { throw SimulatorError.duplicateName(name) }
        }
        #if os(Linux)
        let epoll = try EpollDriver(logger: logger)
        driver = epoll
        stopDriver = { await epoll.stop() }
        fileDescriptorLimit = epoll.fileDescriptorLimit
        #else
        throw SimulatorError.unsupportedPlatform
        #endif
        let needed = Self.descriptorsNeeded(spokes: names.count)
        guard needed <= fileDescriptorLimit.soft else {
            throw SimulatorError.tooFewDescriptors(spokes: names.count, needed: needed, limit: fileDescriptorLimit)
        }
        self.configuration = configuration
        self.index = index
        self.logger = logger
        tally = FleetTally(spokes: names.count)
        let context = FleetContext(configuration: configuration, tally: tally, logger: logger)
        let offline = Presence(state: .offline).encoded()
        let sources = configuration.sourceAddresses
        var spokes: [SimulatedSpoke] = []
        spokes.reserveCapacity(names.count)
        for (i, name) in names.enumerated() {
            var mqtt = configuration.mqtt
            mqtt.clientID = name
            mqtt.cleanStart = false
            (mqtt.username, mqtt.password) = try configuration.credentials.login(for: name)
            mqtt.will = MQTTConfiguration.Will(topic: configuration.topics.presence(name), payload: offline)
            if !sources.isEmpty { mqtt.bindAddress = sources[i % sources.count] }
            if configuration.flakyFraction > 0 {
                // A dropped spoke comes back after a random delay up to the flap period.
                mqtt.reconnectMin = configuration.flapSeconds
                mqtt.reconnectMax = configuration.flapSeconds
            }
            do {
                let connection = try MQTTConnection(configuration: mqtt, driver: driver, logger: logger)
                spokes.append(SimulatedSpoke(name: name, connection: connection, fleet: context))
            } catch {
                throw SimulatorError.connection(spoke: name, error)
            }
        }
        self.spokes = spokes
    }

    /// Counts as of now.
    public func snapshot() -> FleetSnapshot { tally.snapshot }

    /// The generation `spoke` runs now; `nil` for a spoke that applied nothing or is not simulated.
    public func appliedGeneration(of spoke: String) -> Int64? {
        guard let i = index[spoke] else { return nil }
        let generation = spokes[i].appliedGeneration
        return generation > 0 ? generation : nil
    }

    /// Waits until `predicate` holds for a snapshot, checking every 50 ms.
    /// - Throws: ``SimulatorError/timedOut(what:last:)`` with the last snapshot.
    @discardableResult
    public func waitUntil(
        _ what: String = "the simulated fleet", timeout: Duration, _ predicate: (FleetSnapshot) -> Bool
    ) async throws -> FleetSnapshot {
        let deadline = ContinuousClock.now + timeout
        while true {
            let s = snapshot()
            if predicate(s) { return s }
            guard ContinuousClock.now < deadline else { throw SimulatorError.timedOut(what: what, last: s) }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// A snapshot now and then every `interval`, until the consumer stops listening.
    public func snapshots(every interval: Duration) -> AsyncStream<FleetSnapshot> {
        AsyncStream { continuation in
            let task = Task { [self] in
                while !Task.isCancelled {
                    continuation.yield(snapshot())
                    try? await Task.sleep(for: interval)
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
