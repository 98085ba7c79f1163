import ArgumentParser
import FlotillaHub
import FlotillaStore
import FlotillaModel
import FlotillaWire
import Foundation
import Metrics
import Prometheus
import ServiceLifecycle

struct HubRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the hub until SIGTERM or SIGINT.")

    @Option(help: "GitOps source directory (manifests, policies, inventory).")
    var source: String

    @Option(help: "Hub state file (SQLite).")
    var state: String

    @Option(help: "HTTP API address HOST:PORT.")
    var http: String = "127.0.0.1:8080"

    @Option(help: "Ed25519 private key file written by `flotilla keygen`; bundles are signed with it.")
    var signingKey: String?

    @Option(help: "MQTT client id of the hub.")
    var clientId: String = "flotilla-hub"

    @Option(help: "Seconds between checks of the source directory.")
    var poll: Double = 2

    @Option(help: "Also run `git pull --ff-only` in the source directory every this many seconds.")
    var gitPull: Double?

    @OptionGroup var topicOptions: TopicOptions

    @OptionGroup var bundleLimit: BundleLimitOptions

    @Option(help: "Largest status report stored, in bytes; larger ones are dropped unacknowledged and logged.")
    var maxReportBytes: Int = WireLimits.defaultMaxReportBytes

    @Option(help: "Status reports kept per spoke (counters and current state are kept for ever).")
    var reportHistory: Int = 100

    @Option(help: "Days a status report is kept at most.")
    var reportDays: Double = 7

    @Option(help: "Seconds after a new state file (or --recover) during which agents' claims about generations and acknowledged reports are believed.")
    var recoveryWindow: Double = 3600

    @Flag(help: "Open the recovery window at start: use after restoring the state file from a backup.")
    var recover = false

    @Option(help: "Seconds a spoke that left the inventory is still shown, as Retired, in status.")
    var retiredGrace: Double = 3600

    @Option(help: "Seconds an HTTP client has to send a request's headers before it is disconnected.")
    var httpHeaderTimeout: Double = 10

    @Option(help: "Seconds an idle HTTP keep-alive connection is kept open.")
    var httpIdleTimeout: Double = 60

    @Option(help: "Most HTTP connections open at once; further clients wait for a free one.")
    var httpMaxConnections: Int = 256

    @OptionGroup var brokerOptions: BrokerOptions
    @OptionGroup var log: LogOptions

    func run() async throws {
        let logger = log.bootstrap(label: "flotilla.hub")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let parts = http.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--http must be HOST:PORT") }
        var key: SigningKey?
        if let signingKey {
            do {
                key = try SigningKey(base64: try String(contentsOfFile: signingKey, encoding: .utf8))
            } catch {
                throw RuntimeFailure("cannot load --signing-key \(signingKey): \(error)")
            }
        }
        guard maxReportBytes >= 1024 else { throw ValidationError("--max-report-bytes must be at least 1024") }
        guard reportHistory >= 1, reportDays > 0 else { throw ValidationError("--report-history and --report-days must be positive") }
        guard recoveryWindow >= 0 else { throw ValidationError("--recovery-window must not be negative") }
        var configuration = HubConfiguration(
            sourceDirectory: source, mqtt: try brokerOptions.configuration(clientID: clientId), statePath: state,
            signingKey: key, topics: topicOptions.topics, pollInterval: poll, maxBundleBytes: bundleLimit.maxBundleBytes ?? WireLimits.defaultHubBundleBytes,
            gitPullInterval: gitPull)
        configuration.maxReportBytes = maxReportBytes
        configuration.retention = ReportRetention(perSpoke: reportHistory, maxAgeDays: reportDays)
        configuration.recoveryWindow = recoveryWindow
        configuration.recover = recover
        configuration.retiredGrace = retiredGrace
        let hub = try Hub(configuration: configuration, logger: logger)
        guard httpHeaderTimeout > 0, httpIdleTimeout > 0, httpMaxConnections >= 1 else {
            throw ValidationError("--http-header-timeout, --http-idle-timeout and --http-max-connections must be positive")
        }
        let app = HubHTTPServer.makeApplication(
            hub: hub, host: String(parts[0]), port: port, registry: registry,
            limits: .init(requestHeadTimeout: httpHeaderTimeout, idleTimeout: httpIdleTimeout, maxConnections: httpMaxConnections),
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: hub), .init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
