import Logging
import Synchronization

/// One MQTT 5 connection over libmosquitto, independent of who runs its network loop: a
/// persistent session, reconnect with jittered exponential backoff, subscriptions renewed on every
/// connect, QoS 1 publishes that complete on PUBACK, and messages and connection events as
/// `AsyncStream`s.
///
/// An ``MQTTDriver`` runs the network side: ``ThreadDriver`` gives the connection a thread of
/// its own (what ``MQTTClient`` uses); ``EpollDriver`` runs thousands of connections on one
/// thread. The connection logic is the same under both.
public final class MQTTConnection: Sendable {
    public let configuration: MQTTConfiguration
    /// Every message received on any subscription, in arrival order.
    public let messages: AsyncStream<MQTTMessage>
    /// Connection life-cycle events. Ends after ``stop()``.
    public let events: AsyncStream<MQTTEvent>
    /// Runs this connection's network loop from ``start()`` to ``stop()``.
    public let driver: any MQTTDriver

    let handle: MosquittoHandle
    let core: ConnectionCore
    let logger: Logger

    /// Creates the connection; nothing touches the network until ``start()``.
    /// - Parameter driver: runs the network loop; by default a ``ThreadDriver`` (a thread of its own).
    /// - Throws: ``MQTTError`` if libmosquitto rejects the options (client id, will, TLS files).
    public init(
        configuration: MQTTConfiguration, driver: (any MQTTDriver)? = nil, logger: Logger = Logger(label: "flotilla.mqtt")
    ) throws(MQTTError) {
        self.configuration = configuration
        self.driver = driver ?? ThreadDriver()
        self.logger = logger
        let (messages, mc) = AsyncStream.makeStream(of: MQTTMessage.self)
        let (events, ec) = AsyncStream.makeStream(of: MQTTEvent.self)
        self.messages = messages
        self.events = events
        core = ConnectionCore(
            backoff: ReconnectBackoff(minimum: configuration.reconnectMin, maximum: configuration.reconnectMax),
            messages: mc, events: ec, logger: logger)
        handle = try MosquittoHandle(clientID: configuration.clientID, cleanStart: configuration.cleanStart, delegate: core)
        try handle.configure(configuration)
    }

    /// Whether a CONNACK has been accepted and the connection is up.
    public var isConnected: Bool { core.state.withLock { $0.connected } }

    /// What happened on this connection so far.
    public var counters: Counters { core.state.withLock { $0.counters } }

    /// Hands the connection to its driver, which connects, and on any loss reconnects after a
    /// jittered exponential backoff, until ``stop()``. Returns at once; a second call does nothing.
    /// The driver holds the connection until ``stop()``: dropping it does not end it.
    public func start() {
        let first = core.state.withLock { s in
            guard !s.started, !s.stopRequested else { return false }
            s.started = true
            return true
        }
        if first { driver.attach(self) }
    }

    /// Disconnects cleanly (the broker does not publish the will), waits until the driver has let
    /// go of the connection, fails publishes still waiting for a PUBACK, and ends both streams.
    public func stop() async {
        let (first, started) = core.state.withLock { s in
            defer { s.stopRequested = true }
            return (!s.stopRequested, s.started)
        }
        if first && started {
            handle.disconnect()
            await driver.detach(self)
        }
        core.failAll(MQTTError(operation: "publish", code: .stopped, message: "client stopped"))
        core.messages.finish()
        core.events.finish()
    }

    /// Adds a subscription, kept for the connection's life and renewed on every (re)connect.
    /// - Throws: ``MQTTError`` if libmosquitto refuses the filter while connected.
    public func subscribe(_ filter: String, qos: Int32 = 1) throws(MQTTError) {
        let connected = core.state.withLock { s in
            s.subscriptions.append((filter, qos))
            return s.connected
        }
        guard connected else { return }
        let result = handle.subscribe(filter, qos: qos)
        if result.code != .noConnection { try handle.check("subscribe \(filter)", result) }
        driver.connectionHasOutput(self)
    }
}
