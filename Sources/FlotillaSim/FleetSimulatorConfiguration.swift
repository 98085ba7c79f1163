import FlotillaMQTT
import FlotillaWire
import Foundation

/// What a ``FleetSimulator`` simulates: which spokes, against which broker, how they behave.
public struct FleetSimulatorConfiguration: Sendable {
    /// The spokes' names: each is a client id, a topic level and (with credentials) a username.
    public var spokes: [String]
    /// The broker and session every spoke uses: host, port, keepalive, TLS, reconnect delays.
    /// Client id, username, will, clean start and bind address are set per spoke.
    public var mqtt: MQTTConfiguration
    public var credentials: SpokeCredentials
    /// Hub keys accepted as bundle signers; empty accepts unsigned bundles (as the agent does).
    public var trustedKeys: [VerifyingKey]
    /// Largest envelope or uncompressed payload accepted, in bytes.
    public var maxBundleBytes: Int
    public var topics: Topics
    /// Unacknowledged reports are sent again when the watermark has not moved for this long (s).
    public var resendInterval: Double
    /// Most reports in flight per spoke (sent, not yet acknowledged by the hub).
    public var window: Int
    /// Share of the connected spokes dropped every ``flapSeconds`` (0: none).
    public var flakyFraction: Double
    /// Period of the flaps, and the longest delay before a dropped spoke reconnects (seconds).
    public var flapSeconds: Double
    /// Local addresses the connections are spread over, round-robin (empty: the system's choice).
    public var sourceAddresses: [String]
    /// Connections started per second (0: all at once): a broker's listen backlog is short.
    public var connectRate: Int

    public init(
        spokes: [String], mqtt: MQTTConfiguration, credentials: SpokeCredentials = .none, trustedKeys: [VerifyingKey] = [],
        maxBundleBytes: Int = WireLimits.maxPacketBytes, topics: Topics = Topics(), resendInterval: Double = 10, window: Int = 200,
        flakyFraction: Double = 0, flapSeconds: Double = 30, sourceAddresses: [String] = [], connectRate: Int = 2000
    ) {
        self.spokes = spokes
        self.mqtt = mqtt
        self.credentials = credentials
        self.trustedKeys = trustedKeys
        self.maxBundleBytes = maxBundleBytes
        self.topics = topics
        self.resendInterval = resendInterval
        self.window = window
        self.flakyFraction = flakyFraction
        self.flapSeconds = flapSeconds
        self.sourceAddresses = sourceAddresses
        self.connectRate = connectRate
    }

    /// `prefix` followed by 1…`count`, zero-padded to the width of `count`: `store-01`…`store-50`.
    public static func spokeNames(prefix: String, count: Int) -> [String] {
        let width = String(count).count
        return (1...max(count, 1)).prefix(count).map { i in
            let digits = String(i)
            return prefix + String(repeating: "0", count: width - digits.count) + digits
        }
    }

    /// Spokes per source address when they are spread automatically: one address opens at most
    /// about 28,000 connections to one broker port (Linux's ephemeral ports 32768–60999).
    public static let spokesPerSourceAddress = 20_000

    /// `count` loopback source addresses: 127.0.0.2, 127.0.0.3… (all of 127/8 is loopback on Linux).
    public static func loopbackSourceAddresses(count: Int) -> [String] {
        (0..<count).map { i in "127.\((i + 2) >> 16 & 0xFF).\((i + 2) >> 8 & 0xFF).\((i + 2) & 0xFF)" }
    }

    /// The source addresses chosen when none are asked for: none up to
    /// ``spokesPerSourceAddress`` spokes, then one loopback address per that many (a broker on
    /// loopback only; elsewhere the system's choice).
    public static func automaticSourceAddresses(spokes: Int, host: String) -> [String] {
        guard spokes > spokesPerSourceAddress, host == "localhost" || host.hasPrefix("127.") else { return [] }
        return loopbackSourceAddresses(count: (spokes + spokesPerSourceAddress - 1) / spokesPerSourceAddress)
    }
}
