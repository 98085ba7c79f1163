import ArgumentParser
import FlotillaBench
import Foundation

/// `flotilla bench source`: what a user runs, timed from files (see ``SourceBenchmark``).
struct BenchSourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Write a KubeStellar-style source of N spokes, then time `plan` and a real hub on a real mosquitto (use a release build).",
        discussion: """
            Runs this executable as child processes: `plan` of the whole source and of one spoke (wall time, peak RSS), \
            then `hub run` with --poll \(SourceBenchmark.pollSeconds): a bundle for every spoke, a change of one file every \
            spoke receives, a change of one spoke's labels, the same envelopes from a bare publisher, and a burst of status \
            reports against a bare subscriber. Needs mosquitto. With -o json, progress goes to stderr and the figures to stdout.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Spokes (ManagedClusters) in the source.")
    var spokes = 10_000
    @Option(help: "Workload objects in the source.")
    var objects = 2_000
    @Option(help: "BindingPolicies in the source.")
    var policies = 200
    @Option(help: "Status reports per spoke in the status burst.")
    var reports = 2
    @Option(name: .shortAndLong, help: "Output: text or json.")
    var output: Format = .text
    @Flag(help: "Keep the run's directory (source, hub state, logs) after a successful run.")
    var keep = false

    func validate() throws {
        guard spokes >= 1, reports >= 1 else { throw ValidationError("--spokes and --reports must be at least 1") }
        guard objects >= 10 else { throw ValidationError("--objects must be at least 10") }
        guard policies >= 2 else { throw ValidationError("--policies must be at least 2") }
    }

    func run() async throws {
        let json = output == .json
        let say: (String) -> Void = { line in
            if json { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { print(line) }
        }
        let result = try await SourceBenchmark.run(
            spokes: spokes, objects: objects, policies: policies, reports: reports, keepFiles: keep, print: say)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        }
    }
}
