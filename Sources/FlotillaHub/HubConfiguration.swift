import FlotillaMQTT
import FlotillaModel
import FlotillaWire
import FlotillaStore

/// Everything a hub needs.
public struct HubConfiguration: Sendable {
    public var sourceDirectory: String
    public var mqtt: MQTTConfiguration
    public var statePath: String
    /// Signs every envelope when set; agents with `--hub-key` refuse unsigned bundles.
    public var signingKey: SigningKey?
    public var topics: Topics
    /// How often the source directory is checked for changes (seconds).
    public var pollInterval: Double
    /// Bundles whose uncompressed payload is larger than this are refused at plan time, naming
    /// the spoke, which keeps its previous bundle. Keep it at or below the agents' limit.
    public var maxBundleBytes: Int
    /// Run `git pull --ff-only` in the source directory this often (seconds); `nil` = never.
    public var gitPullInterval: Double?
    /// Status reports larger than this are dropped unacknowledged (agents keep theirs smaller).
    public var maxReportBytes: Int = WireLimits.defaultMaxReportBytes
    /// How many reports are kept per spoke, and for how long.
    public var retention = ReportRetention()
    /// Seconds during which agents' claims about generations and acknowledged sequence numbers
    /// are believed after a new state file is created, or after a start with ``recover``.
    public var recoveryWindow: Double = 3600
    /// Seconds a spoke that left the inventory is still shown (as Retired) in status.
    public var retiredGrace: Double = 3600
    /// Opens the recovery window at start: for a state file restored from a backup.
    public var recover = false

    public init(
        sourceDirectory: String, mqtt: MQTTConfiguration, statePath: String, signingKey: SigningKey? = nil,
        topics: Topics = Topics(), pollInterval: Double = 2, maxBundleBytes: Int = WireLimits.defaultHubBundleBytes, gitPullInterval: Double? = nil
    ) {
        self.gitPullInterval = gitPullInterval
        self.sourceDirectory = sourceDirectory
        self.mqtt = mqtt
        self.statePath = statePath
        self.signingKey = signingKey
        self.topics = topics
        self.pollInterval = pollInterval
        self.maxBundleBytes = maxBundleBytes
    }
}
