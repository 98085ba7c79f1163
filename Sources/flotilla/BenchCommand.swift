import ArgumentParser
import FlotillaBench

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure planning and fan-out; prints figures to record in docs/benchmarks.md (use a release build).")

    enum Which: String, ExpressibleByArgument, CaseIterable { case all, plan, fanout }

    @Argument(help: "all, plan or fanout.")
    var which: Which = .all

    @Option(help: "Spokes in the synthetic fleet.")
    var spokes = 10_000
    @Option(help: "Objects in the synthetic fleet.")
    var objects = 2_000
    @Option(help: "Policies in the synthetic fleet.")
    var policies = 200
    @Option(help: "Messages for the fan-out benchmark.")
    var messages = 10_000
    @Option(help: "Bundle size in bytes for the fan-out benchmark.")
    var size = 2_048

    func run() async throws {
        let say: (String) -> Void = { print($0) }
        if which == .all || which == .fanout {
            try await FanoutBenchmark.run(messages: messages, size: size, print: say)
        }
        if which == .all || which == .plan {
            PlanBenchmark.run(spokes: spokes, objects: objects, policies: policies, print: say)
        }
    }
}
