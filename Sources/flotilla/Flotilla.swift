import ArgumentParser
import FlotillaAgent

@main
struct Flotilla: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flotilla",
        abstract: "Run Kubernetes-style workloads on thousands of edge sites through an MQTT broker.",
        version: FlotillaVersion.current,
        subcommands: [
            HubCommand.self, AgentCommand.self, StatusCommand.self, PlanCommand.self, KeygenCommand.self, BrokerCommand.self,
            BenchCommand.self, SimCommand.self,
        ])
}
