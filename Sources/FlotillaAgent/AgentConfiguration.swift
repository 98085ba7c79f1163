import FlotillaMQTT
import FlotillaModel
import FlotillaWire

/// Everything an agent needs to run one spoke.
public struct AgentConfiguration: Sendable {
    /// The spoke's name: its client id, topic level and broker username.
    public var name: String
    public var mqtt: MQTTConfiguration
    public var statePath: String
    public var applier: any Applier
    /// Hub keys accepted as bundle signers; empty accepts unsigned bundles (development only).
    public var trustedKeys: [VerifyingKey]
    /// Largest envelope or uncompressed payload accepted, in bytes.
    public var maxBundleBytes: Int
    public var topics: Topics
    /// Reports not acknowledged this long after sending are sent again (seconds).
    public var resendInterval: Double
    /// Most reports in flight (sent, not yet acknowledged by the hub).
    public var window: Int
    /// Re-apply the stored bundle this often to correct drift (seconds); 0 disables.
    public var reconcileInterval: Double

    public init(
        name: String, mqtt: MQTTConfiguration, statePath: String, applier: any Applier, trustedKeys: [VerifyingKey] = [],
        maxBundleBytes: Int = WireLimits.maxPacketBytes, topics: Topics = Topics(), resendInterval: Double = 10, window: Int = 200,
        reconcileInterval: Double = 300
    ) {
        self.name = name
        self.mqtt = mqtt
        self.statePath = statePath
        self.applier = applier
        self.trustedKeys = trustedKeys
        self.maxBundleBytes = maxBundleBytes
        self.topics = topics
        self.resendInterval = resendInterval
        self.window = window
        self.reconcileInterval = reconcileInterval
    }
}
