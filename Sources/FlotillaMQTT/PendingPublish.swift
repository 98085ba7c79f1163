/// A QoS 1 message already handed to libmosquitto, waiting for its PUBACK.
public struct PendingPublish: Sendable {
    public let mid: Int32
    let connection: MQTTConnection

    /// Returns when the broker acknowledged the message.
    /// - Throws: ``MQTTError`` when the broker rejects it or the connection stops first;
    ///   `CancellationError` when the waiting task is cancelled.
    public func acknowledged() async throws { try await connection.waitForAck(mid: mid) }

    /// Gives up on the PUBACK (the message still goes out); frees what the ticket holds.
    public func discard() { connection.discard(mid: mid) }
}
