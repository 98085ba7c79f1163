import FlotillaSim
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// End-to-end convergence of N live spokes (`flotilla bench fleet`), self-contained: its own
/// mosquitto sized for N (``FleetBroker``), a KubeStellar-style source of N spokes, a hub run as
/// a child process (this executable), and N simulated spokes speaking the real protocol
/// (``FleetSimulator``: in this process when its open-file limit holds them all, otherwise
/// split over worker processes). The run:
///
/// 1. waits for the first convergence (every spoke applied generation 1, the hub's status API
///    shows every spoke converged and every report acknowledged);
/// 2. rewrites one file that changes the bundles of the chosen share of the spokes
///    (``FlotillaFixtures/KubeStellarSourceWriter/changeFraction(_:revision:in:)``), flaps the
///    chosen share of the connections as the first new bundle appears, and times file → first
///    new bundle and file → the hub has stored every touched spoke's `applied` report;
/// 3. compares the hub's fan-out with a bare publisher sending the same envelopes, and its status
///    ingest with a bare subscriber receiving the same reports (``StatusBurst``), same broker;
/// 4. with `storm`, SIGKILLs the broker under the connected fleet, starts it again on the same
///    port from its persistence file, and times until every spoke is back, subscribed and converged;
/// 5. counts: every report the spokes wrote is stored at the hub (`reportsLost` 0).
///
/// Logs (hub, broker, workers) and the source are in the run's directory, kept when it fails.
public enum FleetBenchmark {
    public struct Options: Sendable {
        public var spokes: Int
        public var objects = 2_000
        public var policies = 200
        /// Share of the spokes whose bundle the change touches (0 < f ≤ 1).
        public var changeFraction = 1.0
        /// Share of the connected spokes dropped (no DISCONNECT) as the change goes out.
        public var flakyFraction = 0.0
        public var storm = false
        /// The `flotilla` binary for the hub and workers; this process's own when `nil`.
        public var executable: String?
        public var keepFiles = false
        /// Simulator processes; chosen from the open-file limit when `nil` (0 or 1: in-process
        /// when it fits).
        public var simulatorProcesses: Int?
        /// Connections started per second, over all simulator processes.
        public var connectRate = 2_000
        /// Seconds before a spoke resends unacknowledged reports (the agent's default).
        public var resendInterval = 10.0
        /// `--log-level` of the hub. `debug` (a few dozen lines a run) logs each reload's planning
        /// time and each chunk's commit and hand-over: the log in the run's directory says where
        /// the publishing time went.
        public var hubLogLevel = "debug"

        public init(spokes: Int) { self.spokes = spokes }
    }

    /// `--poll` of the benchmark's hub.
    public static let pollSeconds = 0.1

    /// Runs everything once.
    public static func run(_ options: Options, print say: (String) -> Void) async throws -> FleetBenchmarkResult {
        guard options.spokes >= 1 else { throw BenchError("--spokes must be at least 1") }
        guard options.changeFraction > 0, options.changeFraction <= 1 else { throw BenchError("--change-fraction must be in (0, 1]") }
        guard (0...1).contains(options.flakyFraction) else { throw BenchError("--flaky-fraction must be in [0, 1]") }
        let capacity = FleetCapacity(spokes: options.spokes, forcedProcesses: options.simulatorProcesses)
        say("open files: \(capacity.summary)")
        if let reason = capacity.impossible { throw BenchError(reason) }
        let run = try FleetBenchmarkRun(options: options, capacity: capacity, executable: try options.executable ?? SourceBenchmark.currentExecutable())
        say("run directory: \(run.dir.path)")
        do {
            let result = try await run.execute(say)
            await run.shutdown(removeFiles: !options.keepFiles)
            return result
        } catch {
            await run.shutdown(removeFiles: false)
            say("FAILED: \(error)")
            say("  kept for inspection in \(run.dir.path): source/, hub.log, broker/mosquitto.log, sim-*.log")
            throw error
        }
    }

    /// A result that records why a size cannot run on this machine (for `--skip-if-impossible`).
    public static func skipped(spokes: Int, reason: String) -> FleetBenchmarkResult {
        FleetBenchmarkResult(
            skipped: reason, spokes: spokes, objects: 0, policies: 0, changeFraction: 0, touchedSpokes: 0, flakyFraction: 0, flapped: 0,
            simulator: "", simulatorProcesses: 0, openFileLimit: FleetCapacity.limits().hard,
            broker: .init(maxConnections: -1, maxQueuedMessages: 0, maxInflightMessages: 0, persistence: true), machine: .current(),
            firstConvergenceSeconds: 0, changeToFirstPublishSeconds: 0, changeToLastPublishSeconds: 0, convergenceSeconds: 0,
            hubBundlesPerSecond: 0, bareBundlesPerSecond: 0, fanoutRatio: 0, ingestReports: 0, hubReportsPerSecond: 0, bareReportsPerSecond: 0,
            ingestRatio: 0, bundleBytes: 0, bundleBytesTotal: 0, hubRSSBytes: 0, hubRSSBeforeFleetBytes: 0, hubPeakRSSBytes: 0, brokerRSSBytes: 0, brokerPeakRSSBytes: 0,
            simRSSBytes: 0, reportsWritten: 0, reportsStored: 0, reportsLost: 0, duplicatesAbsorbed: 0, resends: 0, spokesConverged: 0, storm: nil,
            changeCPU: .zero, ingestCPU: .zero, statusCallSeconds: 0)
    }

    /// Why `spokes` cannot run here, or `nil` when they can.
    public static func impossibility(spokes: Int) -> String? {
        FleetCapacity(spokes: spokes, forcedProcesses: nil).impossible
    }
}

/// How many open files the run needs and where the spokes go. Every process of the run (the
/// broker, the hub, the workers) inherits this process's limit, raised first from soft to hard:
/// the hard limit is the ceiling (raising it needs CAP_SYS_RESOURCE).
struct FleetCapacity: Sendable {
    let spokes: Int
    let soft: UInt64
    let hard: UInt64
    /// Simulator processes: 1 means in this process.
    let processes: Int
    let inProcess: Bool
    let impossible: String?

    /// Descriptors the benchmark itself holds beside an in-process simulator (its clients, the
    /// HTTP probe, files).
    static let benchReserve: UInt64 = 512
    /// The broker: one per connection, plus the listener, the persistence and log files.
    static func brokerNeeds(spokes: Int) -> UInt64 { UInt64(spokes) + 128 }

    static func limits() -> (soft: UInt64, hard: UInt64) {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return (1024, 1024) }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return (UInt64(limit.rlim_cur), UInt64(limit.rlim_max))
    }

    /// Spokes one worker process holds: three descriptors each, under the limit.
    static func perWorker(limit: UInt64) -> Int {
        Int((limit - min(limit, 128)) / 3)
    }

    init(spokes: Int, forcedProcesses: Int?) {
        self.spokes = spokes
        (soft, hard) = Self.limits()
        let inProcessFits = FleetSimulator.descriptorsNeeded(spokes: spokes) + Self.benchReserve <= soft
        let per = max(1, Self.perWorker(limit: soft))
        if let forced = forcedProcesses, forced > 0 {
            processes = forced
            inProcess = forced == 1 && inProcessFits
        } else if inProcessFits {
            processes = 1
            inProcess = true
        } else {
            processes = (spokes + per - 1) / per
            inProcess = false
        }
        var reasons: [String] = []
        if Self.brokerNeeds(spokes: spokes) > soft {
            reasons.append(
                "the broker needs one open file per connection (\(Self.brokerNeeds(spokes: spokes)) for \(spokes) spokes) but every process here may open at most \(hard) (`ulimit -Hn`; raising it needs CAP_SYS_RESOURCE, which this process \(Self.canRaise ? "has" : "lacks"))"
            )
        }
        if forcedProcesses == 1 && !inProcessFits {
            reasons.append("one simulator process cannot hold \(spokes) spokes: \(FleetSimulator.descriptorsNeeded(spokes: spokes)) open files needed, limit \(soft)")
        }
        if !inProcess, (spokes + processes - 1) / processes > per {
            reasons.append("\(processes) simulator processes of at most \(per) spokes each cannot hold \(spokes)")
        }
        impossible = reasons.isEmpty ? nil : "cannot run \(spokes) spokes on this machine: " + reasons.joined(separator: "; ")
    }

    /// Whether this process may raise its hard limit (CAP_SYS_RESOURCE in its effective set).
    static var canRaise: Bool {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
            let mask = UInt64(line.split(separator: "\t").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? "", radix: 16)
        else { return false }
        return mask & (1 << 24) != 0
    }

    var placement: String {
        inProcess ? "in-process (one FleetSimulator in the benchmark's process)" : "\(processes) worker processes"
    }

    var summary: String {
        "limit \(soft) (hard \(hard)); broker needs about \(Self.brokerNeeds(spokes: spokes)), the simulator \(FleetSimulator.descriptorsNeeded(spokes: spokes)) (3 per spoke): \(placement)"
    }
}

extension FleetBenchmarkResult.Machine {
    static func current() -> Self {
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown"
        return .init(
            cores: ProcessInfo.processInfo.activeProcessorCount, memoryBytes: ProcessInfo.processInfo.physicalMemory,
            kernel: "Linux \(release)", cpu: model)
    }
}
