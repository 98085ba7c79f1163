/// Connection life-cycle, as seen by the connection's driver.
public enum MQTTEvent: Sendable, Hashable {
    /// CONNACK accepted; `sessionPresent` tells whether the broker kept the session.
    case connected(sessionPresent: Bool)
    /// The connection ended; the client reconnects by itself unless stopped.
    case disconnected(reason: String)
    /// A connection attempt failed (network) or was refused (credentials, ACL, TLS).
    case connectFailed(MQTTError)
}
