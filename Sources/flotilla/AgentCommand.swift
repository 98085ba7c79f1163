import ArgumentParser
import FlotillaAgent
import FlotillaModel
import FlotillaWire
import FlotillaStore
import Foundation
import ServiceLifecycle

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent", abstract: "The spoke agent.", subcommands: [AgentRunCommand.self, AgentInspectCommand.self])
}

struct AgentRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a spoke agent until SIGTERM or SIGINT.")

    @Option(help: "Spoke name: client id, topic level and broker username.")
    var name: String

    @Option(help: "Agent state file (SQLite).")
    var state: String

    @Option(help: "How to run bundles: dir:PATH.")
    var applier: String

    @Option(help: "Trusted hub public key file (repeat for key rotation). Without one, unsigned bundles are accepted.")
    var hubKey: [String] = []

    @OptionGroup var bundleLimit: BundleLimitOptions

    @Option(help: "Seconds before unacknowledged reports are sent again.")
    var resendInterval: Double = 10

    @Option(help: "Seconds between re-applications of the stored bundle (drift correction); 0 disables.")
    var reconcileInterval: Double = 300

    @OptionGroup var topicOptions: TopicOptions

    @OptionGroup var brokerOptions: BrokerOptions
    @OptionGroup var log: LogOptions

    func validate() throws {
        guard Spoke.isValidName(name) else {
            throw ValidationError("--name \"\(name)\" must be a DNS-1123 label (lowercase letters, digits, '-')")
        }
        if let user = brokerOptions.username, user != name {
            throw ValidationError("--username \"\(user)\" differs from --name \"\(name)\": a spoke may only speak for itself")
        }
    }

    func run() async throws {
        let logger = log.bootstrap(label: "flotilla.agent")
        var keys: [VerifyingKey] = []
        for file in hubKey {
            do {
                keys.append(try VerifyingKey(base64: try String(contentsOfFile: file, encoding: .utf8)))
            } catch {
                throw RuntimeFailure("cannot load --hub-key \(file): \(error)")
            }
        }
        if keys.isEmpty { logger.warning("no --hub-key given: accepting unsigned bundles (development only)") }
        let agent = try await Agent(
            configuration: AgentConfiguration(
                name: name, mqtt: try brokerOptions.configuration(clientID: name), statePath: state,
                applier: try ApplierSpec.make(applier), trustedKeys: keys, maxBundleBytes: bundleLimit.maxBundleBytes ?? WireLimits.maxPacketBytes,
                topics: topicOptions.topics, resendInterval: resendInterval, reconcileInterval: reconcileInterval),
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: agent)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

struct AgentInspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Show an agent's stored state.")

    @Option(help: "Agent state file (SQLite).")
    var state: String

    @Option(name: .shortAndLong, help: "Output: table, json or yaml.")
    var output: OutputFormat = .table

    func run() async throws {
        guard FileManager.default.fileExists(atPath: state) else { throw RuntimeFailure("no agent state at \(state)") }
        let inspection = try await AgentStore.inspect(path: state)
        switch output {
        case .json: print(try StructuredOutput.json(inspection))
        case .yaml: print(try StructuredOutput.yaml(inspection), terminator: "")
        case .table:
            print("spoke:              \(inspection.spoke)")
            print("stored generation:  \(inspection.storedGeneration.map(String.init) ?? "-")")
            print("applied generation: \(inspection.appliedGeneration.map(String.init) ?? "-")")
            print("last apply:         \(inspection.lastApplyOK.map { $0 ? "ok" : "failed" } ?? "-")\(inspection.lastApplyMessage.map { " (\($0))" } ?? "")")
            print("last sequence:      \(inspection.lastSequence)")
            print("acked sequence:     \(inspection.ackedSequence)")
            print("outbox pending:     \(inspection.outboxPending)")
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, yaml
}
