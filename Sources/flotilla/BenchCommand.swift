import ArgumentParser
import FlotillaBench

/// `flotilla bench`: figures to record in docs/benchmarks.md, each against the raw limit in the
/// same run. One subcommand per benchmark.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure planning, fan-out and what a user runs; prints figures to record in docs/benchmarks.md (use a release build).",
        subcommands: [BenchAllCommand.self, BenchPlanCommand.self, BenchFanoutCommand.self, BenchLoadCommand.self, BenchSourceCommand.self, BenchFleetCommand.self],
        defaultSubcommand: BenchAllCommand.self)
}

/// The synthetic fleet's size, shared by the in-memory benchmarks.
struct SyntheticFleetOptions: ParsableArguments {
    @Option(help: "Spokes in the synthetic fleet.")
    var spokes = 10_000
    @Option(help: "Objects in the synthetic fleet.")
    var objects = 2_000
    @Option(help: "Policies in the synthetic fleet.")
    var policies = 200
}

/// The fan-out benchmark's messages.
struct FanoutOptions: ParsableArguments {
    @Option(help: "Messages for the fan-out benchmark.")
    var messages = 10_000
    @Option(help: "Bundle size in bytes for the fan-out benchmark.")
    var size = 2_048
}

/// `flotilla bench` with no subcommand: the fan-out and the planner, as before.
struct BenchAllCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "all", abstract: "The fan-out and planner benchmarks.")
    @OptionGroup var fleet: SyntheticFleetOptions
    @OptionGroup var fanout: FanoutOptions

    func run() async throws {
        try await FanoutBenchmark.run(messages: fanout.messages, size: fanout.size, print: { print($0) })
        PlanBenchmark.run(spokes: fleet.spokes, objects: fleet.objects, policies: fleet.policies, print: { print($0) })
    }
}

/// `flotilla bench plan`: the planner in memory, full and incremental.
struct BenchPlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "The planner in memory on a synthetic fleet.")
    @OptionGroup var fleet: SyntheticFleetOptions

    func run() async throws {
        PlanBenchmark.run(spokes: fleet.spokes, objects: fleet.objects, policies: fleet.policies, print: { print($0) })
    }
}

/// `flotilla bench fanout`: the hub's publishing path against a bare publisher.
struct BenchFanoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fanout", abstract: "BundlePublisher against a bare libmosquitto publisher.")
    @OptionGroup var fanout: FanoutOptions

    func run() async throws {
        try await FanoutBenchmark.run(messages: fanout.messages, size: fanout.size, print: { print($0) })
    }
}
