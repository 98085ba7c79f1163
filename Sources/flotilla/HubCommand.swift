import ArgumentParser

struct HubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub", abstract: "The hub: plans bundles from a GitOps source and collects status.",
        subcommands: [HubRunCommand.self, HubBackupCommand.self])
}
