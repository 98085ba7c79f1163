/// What the driver thread, libmosquitto's callbacks and callers share about one connection;
/// guarded by ``ConnectionCore/state``, never held across I/O or an `await`.
struct ConnectionState {
    var started = false
    var stopRequested = false
    /// A CONNACK was accepted and the connection has not closed since.
    var connected = false
    /// The current attempt got its CONNACK (it may have closed since).
    var acceptedThisAttempt = false
    /// The broker's refusal of the current attempt, already reported as `connectFailed`.
    var lastRefusal: String?
    /// libmosquitto's error log lines since the current attempt began (OpenSSL's reasons for a
    /// failed handshake, a key that does not load). Bounded.
    var errorLog: [String] = []
    /// Kept for the connection's life and renewed on every connect.
    var subscriptions: [(filter: String, qos: Int32)] = []
    var backoff: ReconnectBackoff
    var counters = MQTTConnection.Counters()
    var publishes = PublishLedger()

    init(backoff: ReconnectBackoff) {
        self.backoff = backoff
    }
}
