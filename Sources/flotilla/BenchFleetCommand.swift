import ArgumentParser
import FlotillaBench
import FlotillaSim
import Foundation

/// `flotilla bench fleet`: end-to-end convergence of N live simulated spokes (see ``FleetBenchmark``).
struct BenchFleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Time a source change reaching N live simulated spokes through a real hub and mosquitto (use a release build).",
        discussion: """
            Self-contained: starts its own mosquitto on a free loopback port sized for N (max_connections -1, \
            max_queued_messages max(20 × N, 100,000), max_inflight_messages 500, persistence on), writes a KubeStellar-style source, runs \
            `hub run --poll \(FleetBenchmark.pollSeconds)` as a child and N simulated spokes (in this process when the \
            open-file limit holds them, otherwise in worker processes). Waits for the first convergence, changes one file \
            touching --change-fraction of the spokes, and times it to the hub storing every touched spoke's applied report; \
            compares fan-out and status ingest with bare libmosquitto clients on the same broker; --storm SIGKILLs and \
            restarts the broker under the fleet. With -o json, progress goes to stderr and the figures to stdout.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Simulated spokes (ManagedClusters in the source).")
    var spokes = 1_000
    @Option(help: "Share of the spokes whose bundle the change touches (0 < F ≤ 1).")
    var changeFraction = 1.0
    @Option(help: "Share of the spokes whose connection is dropped as the change goes out (0 ≤ F ≤ 1).")
    var flakyFraction = 0.0
    @Flag(help: "Also SIGKILL the broker under the connected fleet, restart it on the same port, and time the reconnect storm.")
    var storm = false
    @Option(help: "Workload objects in the source.")
    var objects = 2_000
    @Option(help: "BindingPolicies in the source.")
    var policies = 200
    @Option(help: "Simulator processes (default: in-process when the open-file limit allows, else as few workers as hold N).")
    var simulatorProcesses: Int?
    @Option(help: "Connections started per second, over all simulator processes.")
    var connectRate = 2_000
    @Option(help: "Seconds before a simulated spoke resends unacknowledged reports (the agent's default).")
    var resendInterval = 10.0
    @Option(help: "Log level of the hub (its log is in the run's directory; debug adds each reload's planning time and each chunk's commit).")
    var hubLogLevel = "debug"
    @Option(name: .shortAndLong, help: "Output: text or json.")
    var output: Format = .text
    @Flag(help: "Keep the run's directory (source, hub state, logs) after a successful run.")
    var keep = false
    @Flag(help: "When this machine cannot hold N (open-file limits), print a result naming why and exit 0 instead of failing.")
    var skipIfImpossible = false

    // A share of the fleet in a worker process (started by the benchmark itself).
    @Flag(help: .hidden) var worker = false
    @Option(help: .hidden) var workerNames: String?
    @Option(help: .hidden) var workerPort: Int32 = 0
    @Option(help: .hidden) var workerState: String?
    @Option(help: .hidden) var workerHubKey: String?
    @Option(help: .hidden) var flapFraction = 0.0
    @Option(help: .hidden) var sourceAddresses = 0

    func validate() throws {
        if worker {
            guard workerNames != nil, workerState != nil, workerPort > 0 else {
                throw ValidationError("--worker needs --worker-names, --worker-state and --worker-port")
            }
            return
        }
        guard spokes >= 1 else { throw ValidationError("--spokes must be at least 1") }
        guard changeFraction > 0, changeFraction <= 1 else { throw ValidationError("--change-fraction must be in (0, 1]") }
        guard (0...1).contains(flakyFraction) else { throw ValidationError("--flaky-fraction must be in [0, 1]") }
        guard objects >= 10, policies >= 2 else { throw ValidationError("--objects must be at least 10, --policies at least 2") }
        guard connectRate >= 0, resendInterval > 0 else { throw ValidationError("--connect-rate must be ≥ 0, --resend-interval > 0") }
        if let simulatorProcesses, simulatorProcesses < 1 { throw ValidationError("--simulator-processes must be at least 1") }
    }

    func run() async throws {
        if worker {
            try await runWorker()
            return
        }
        let json = output == .json
        let say: (String) -> Void = { line in
            if json { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { print(line) }
        }
        let result: FleetBenchmarkResult
        if skipIfImpossible, let reason = FleetBenchmark.impossibility(spokes: spokes) {
            say("SKIPPED: \(reason)")
            result = FleetBenchmark.skipped(spokes: spokes, reason: reason)
        } else {
            var options = FleetBenchmark.Options(spokes: spokes)
            options.objects = objects
            options.policies = policies
            options.changeFraction = changeFraction
            options.flakyFraction = flakyFraction
            options.storm = storm
            options.keepFiles = keep
            options.simulatorProcesses = simulatorProcesses
            options.connectRate = connectRate
            options.resendInterval = resendInterval
            options.hubLogLevel = hubLogLevel
            do {
                result = try await FleetBenchmark.run(options, print: say)
            } catch {
                throw RuntimeFailure("\(error)")
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        }
    }

    private func runWorker() async throws {
        guard let workerNames, let workerState else { return }
        let text = try String(contentsOfFile: workerNames, encoding: .utf8)
        let names = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
        try await FleetSimWorker.run(
            .init(
                names: names, port: workerPort, hubKey: workerHubKey, statePath: workerState, flapFraction: flapFraction,
                connectRate: connectRate, resendInterval: resendInterval,
                sourceAddresses: FleetSimulatorConfiguration.loopbackSourceAddresses(count: sourceAddresses)))
    }
}
