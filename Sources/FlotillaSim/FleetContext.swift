import FlotillaWire
import Logging

/// What every simulated spoke shares: one reference each instead of a copy.
final class FleetContext: Sendable {
    let topics: Topics
    let trustedKeys: [VerifyingKey]
    let maxBundleBytes: Int
    let window: Int
    let resendInterval: Duration
    let tally: FleetTally
    let logger: Logger

    init(configuration c: FleetSimulatorConfiguration, tally: FleetTally, logger: Logger) {
        topics = c.topics
        trustedKeys = c.trustedKeys
        maxBundleBytes = c.maxBundleBytes
        window = max(1, c.window)
        resendInterval = .milliseconds(Int64(max(0.05, c.resendInterval) * 1000))
        self.tally = tally
        self.logger = logger
    }
}
