import Logging

/// An MQTT 5 client with a network thread of its own: an ``MQTTConnection`` on a
/// ``ThreadDriver``, with a persistent session, automatic reconnect with jittered exponential
/// backoff, QoS 1 publishes that complete on PUBACK, and messages and connection events as
/// `AsyncStream`s.
///
/// The thread (never Swift's cooperative pool) connects, reconnects, resubscribes on every
/// connect, and reports why it could not connect. For many connections in one process, use
/// ``MQTTConnection`` on an ``EpollDriver`` instead.
public final class MQTTClient: Sendable {
    /// The connection this client runs on its own thread.
    public let connection: MQTTConnection

    public var configuration: MQTTConfiguration { connection.configuration }
    /// Every message received on any subscription, in arrival order.
    public var messages: AsyncStream<MQTTMessage> { connection.messages }
    /// Connection life-cycle events.
    public var events: AsyncStream<MQTTEvent> { connection.events }

    /// Creates the client; nothing touches the network until ``start()``.
    /// - Throws: ``MQTTError`` if libmosquitto rejects the options (client id, will, TLS files).
    public init(configuration: MQTTConfiguration, logger: Logger = Logger(label: "flotilla.mqtt")) throws(MQTTError) {
        connection = try MQTTConnection(configuration: configuration, driver: ThreadDriver(), logger: logger)
    }

    /// Starts the network thread: connect, loop, and on any loss reconnect after a jittered
    /// exponential backoff, until ``stop()``. Returns at once.
    public func start() { connection.start() }

    /// Disconnects cleanly (the broker does not publish the will), ends the network thread, and
    /// fails publishes still waiting for a PUBACK.
    public func stop() async { await connection.stop() }

    /// Whether a CONNACK has been accepted and the connection is up.
    public var isConnected: Bool { connection.isConnected }

    /// Adds a subscription, kept for the client's life and renewed on every (re)connect.
    public func subscribe(_ filter: String, qos: Int32 = 1) throws(MQTTError) {
        try connection.subscribe(filter, qos: qos)
    }

    /// Publishes and, for QoS 1, returns when the broker's PUBACK arrives. See
    /// ``MQTTConnection/publish(topic:payload:qos:retain:)``.
    public func publish(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false) async throws {
        try await connection.publish(topic: topic, payload: payload, qos: qos, retain: retain)
    }

    /// Hands a QoS 1 message to libmosquitto now and returns its PUBACK ticket. See
    /// ``MQTTConnection/enqueue(topic:payload:retain:)``.
    public func enqueue(topic: String, payload: [UInt8], retain: Bool = false) throws(MQTTError) -> PendingPublish {
        try connection.enqueue(topic: topic, payload: payload, retain: retain)
    }

    /// Queues a publish without waiting; returns libmosquitto's message id.
    @discardableResult
    public func send(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false) throws(MQTTError) -> Int32 {
        try connection.send(topic: topic, payload: payload, qos: qos, retain: retain)
    }
}
