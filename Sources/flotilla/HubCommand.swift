import ArgumentParser
import FlotillaHub
import FlotillaModel
import Foundation
import Metrics
import Prometheus
import ServiceLifecycle

struct HubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub", abstract: "The hub: plans bundles from a GitOps source and collects status.",
        subcommands: [HubRunCommand.self])
}

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

    @Option(help: "Topic prefix.")
    var topicPrefix: String = "flotilla/v1"

    @Option(help: "Largest bundle published, in bytes (uncompressed); a spoke whose bundle is larger keeps its previous one and the error names it.")
    var maxBundleBytes: Int = 4 << 20

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
                throw ValidationError("cannot load --signing-key \(signingKey): \(error)")
            }
        }
        let hub = try Hub(
            configuration: HubConfiguration(
                sourceDirectory: source, mqtt: try brokerOptions.configuration(clientID: clientId), statePath: state,
                signingKey: key, topics: Topics(prefix: topicPrefix), pollInterval: poll, maxBundleBytes: maxBundleBytes,
                gitPullInterval: gitPull),
            logger: logger)
        let app = HubHTTPServer.makeApplication(hub: hub, host: String(parts[0]), port: port, registry: registry, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: hub), .init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}
