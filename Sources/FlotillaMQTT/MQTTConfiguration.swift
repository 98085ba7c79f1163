/// How to reach the broker and what session to hold there.
public struct MQTTConfiguration: Sendable {
    public struct Will: Sendable {
        public var topic: String
        public var payload: [UInt8]
        public var qos: Int32
        public var retain: Bool

        public init(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = true) {
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.retain = retain
        }
    }

    public struct TLS: Sendable {
        public var caFile: String
        public var certFile: String?
        public var keyFile: String?

        public init(caFile: String, certFile: String? = nil, keyFile: String? = nil) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
        }
    }

    public var host: String
    public var port: Int32
    /// Fixed, so the broker can keep the session across reconnects.
    public var clientID: String
    public var username: String?
    public var password: String?
    public var keepalive: Int32
    /// `false` keeps the session (subscriptions, queued QoS 1 messages) across disconnects.
    public var cleanStart: Bool
    /// MQTT 5 Session Expiry Interval; without it a v5 broker drops the session at once.
    public var sessionExpiry: UInt32
    public var will: Will?
    public var tls: TLS?
    /// Upper bound on unacknowledged outgoing QoS 1 messages (MQTT 5 Receive Maximum caps it).
    public var sendMaximum: Int32
    /// First reconnect delay; doubles up to `reconnectMax`, with full jitter.
    public var reconnectMin: Double
    public var reconnectMax: Double
    /// Local address to connect from (`nil`: the system's choice). A host opening more
    /// connections to one broker port than it has ephemeral ports (about 28,000) spreads them
    /// over several source addresses (127.0.0.2, 127.0.0.3… on loopback).
    public var bindAddress: String?

    public init(
        host: String, port: Int32, clientID: String, username: String? = nil, password: String? = nil,
        keepalive: Int32 = 30, cleanStart: Bool = false, sessionExpiry: UInt32 = 7 * 24 * 3600,
        will: Will? = nil, tls: TLS? = nil, sendMaximum: Int32 = 500, reconnectMin: Double = 0.5,
        reconnectMax: Double = 30, bindAddress: String? = nil
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.username = username
        self.password = password
        self.keepalive = keepalive
        self.cleanStart = cleanStart
        self.sessionExpiry = sessionExpiry
        self.will = will
        self.tls = tls
        self.sendMaximum = sendMaximum
        self.reconnectMin = reconnectMin
        self.reconnectMax = reconnectMax
        self.bindAddress = bindAddress
    }
}
