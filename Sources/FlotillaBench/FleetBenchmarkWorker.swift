import FlotillaMQTT
import FlotillaSim
import FlotillaWire
import Foundation
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A share of the simulated fleet in a process of its own (`flotilla bench fleet --worker …`),
/// for fleets one process cannot hold (three open files per spoke, under the hard limit). It
/// runs a ``FleetSimulator`` and writes its counts as JSON to a file every ``interval``
/// (a temporary file renamed over it: a reader sees a whole one); SIGUSR1 flaps the configured
/// share of its spokes, SIGTERM stops it gracefully.
///
/// Not `flotilla sim`: the benchmark needs exact counts and a flap at the moment it chooses,
/// which `sim` (counts as text, flaps on a timer) does not give.
public enum FleetSimWorker {
    public static let interval = Duration.milliseconds(50)

    /// What the worker writes.
    public struct State: Sendable, Codable {
        public var pid: Int32
        public var counts: FleetCounts
        /// SIGUSR1s handled, and the spokes they dropped in all.
        public var flapRequests: Int
        public var dropped: Int
        public var openFileLimit: UInt64
        public var stopped: Bool
    }

    public struct Options: Sendable {
        public var names: [String]
        public var port: Int32
        public var hubKey: String?
        public var statePath: String
        public var flapFraction: Double
        public var connectRate: Int
        public var resendInterval: Double
        public var sourceAddresses: [String]

        public init(
            names: [String], port: Int32, hubKey: String?, statePath: String, flapFraction: Double, connectRate: Int,
            resendInterval: Double, sourceAddresses: [String]
        ) {
            self.names = names
            self.port = port
            self.hubKey = hubKey
            self.statePath = statePath
            self.flapFraction = flapFraction
            self.connectRate = connectRate
            self.resendInterval = resendInterval
            self.sourceAddresses = sourceAddresses
        }
    }

    /// Runs until SIGTERM or SIGINT.
    public static func run(_ o: Options) async throws {
        var logger = Logger(label: "flotilla.bench.worker")
        logger.logLevel = .warning
        let configuration = try FleetBenchmarkRun.simulatorConfiguration(
            names: o.names, port: o.port, hubKeyFile: o.hubKey, connectRate: o.connectRate, resendInterval: o.resendInterval,
            sourceAddresses: o.sourceAddresses)
        let simulator = try FleetSimulator(configuration: configuration, logger: logger)
        let flaps = Mutex((requests: 0, dropped: 0))
        let stopping = Mutex(false)
        signal(SIGUSR1, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let queue = DispatchQueue(label: "flotilla.bench.worker.signals")
        let usr1 = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: queue)
        usr1.setEventHandler {
            let dropped = simulator.flap(fraction: o.flapFraction)
            flaps.withLock {
                $0.requests += 1
                $0.dropped += dropped
            }
        }
        usr1.resume()
        var enders: [any DispatchSourceSignal] = []
        for s in [SIGTERM, SIGINT] {
            let source = DispatchSource.makeSignalSource(signal: s, queue: queue)
            source.setEventHandler { stopping.withLock { $0 = true } }
            source.resume()
            enders.append(source)
        }
        simulator.start()
        func write(stopped: Bool) {
            let f = flaps.withLock { $0 }
            let state = State(
                pid: getpid(), counts: FleetCounts(simulator.snapshot()), flapRequests: f.requests, dropped: f.dropped,
                openFileLimit: simulator.fileDescriptorLimit.soft, stopped: stopped)
            guard let data = try? JSONEncoder().encode(state) else { return }
            let temp = o.statePath + ".tmp"
            if FileManager.default.createFile(atPath: temp, contents: data) { rename(temp, o.statePath) }
        }
        while !stopping.withLock({ $0 }) {
            write(stopped: false)
            try? await Task.sleep(for: interval)
        }
        await simulator.stop()
        write(stopped: true)
        usr1.cancel()
        for e in enders { e.cancel() }
    }
}

/// The fleet split over worker processes (this executable, `bench fleet --worker`), each with an
/// equal share of the spokes.
final class WorkerFleet: BenchFleet {
    struct Worker {
        var names: [String]
        var statePath: String
        var arguments: [String]
        var logFile: String
    }

    let executable: String
    let workers: [Worker]
    private let running = Mutex<[BenchProcess]>([])
    var placement: String { "\(workers.count) worker processes (`flotilla bench fleet --worker`)" }
    var processes: Int { workers.count }
    var pids: [pid_t] { running.withLock { $0.map(\.pid) } }

    init(
        executable: String, names: [String], processes: Int, dir: URL, port: Int32, hubKeyFile: String, flapFraction: Double,
        connectRate: Int, resendInterval: Double, sourceAddresses: Int
    ) throws {
        self.executable = executable
        let per = (names.count + processes - 1) / processes
        var workers: [Worker] = []
        for k in 0..<processes {
            let share = Array(names[min(names.count, k * per)..<min(names.count, (k + 1) * per)])
            guard !share.isEmpty else { continue }
            let namesFile = dir.appendingPathComponent("sim-\(k).names").path
            try (share.joined(separator: "\n") + "\n").write(toFile: namesFile, atomically: true, encoding: .utf8)
            let statePath = dir.appendingPathComponent("sim-\(k).json").path
            var arguments = [
                "bench", "fleet", "--worker", "--worker-names", namesFile, "--worker-port", String(port), "--worker-state", statePath,
                "--worker-hub-key", hubKeyFile, "--flap-fraction", String(flapFraction), "--connect-rate",
                String(connectRate == 0 ? 0 : max(1, connectRate / processes)), "--resend-interval", String(resendInterval),
            ]
            if sourceAddresses > 0 { arguments += ["--source-addresses", String(sourceAddresses)] }
            workers.append(Worker(names: share, statePath: statePath, arguments: arguments, logFile: dir.appendingPathComponent("sim-\(k).log").path))
        }
        self.workers = workers
    }

    func start() throws {
        var started: [BenchProcess] = []
        for (k, w) in workers.enumerated() {
            started.append(
                try BenchProcess(name: "simulator worker \(k)", executable: executable, arguments: w.arguments, stdout: nil, logFile: w.logFile))
        }
        running.withLock { $0 = started }
    }

    /// Every worker's last state; a worker that has not written yet counts its spokes and nothing else.
    func states() throws -> [FleetSimWorker.State?] {
        let processes = running.withLock { $0 }
        var out: [FleetSimWorker.State?] = []
        for (k, w) in workers.enumerated() {
            if k < processes.count, let exit = processes[k].poll() {
                throw BenchError("simulator worker \(k) exited with \(exit.code); \(w.logFile) ends:\n\(processes[k].logTail())")
            }
            let data = FileManager.default.contents(atPath: w.statePath)
            out.append(data.flatMap { try? JSONDecoder().decode(FleetSimWorker.State.self, from: $0) })
        }
        return out
    }

    func counts() throws -> FleetCounts {
        var total = FleetCounts()
        for (k, state) in try states().enumerated() {
            if let state {
                total = total + state.counts
            } else {
                total.spokes += workers[k].names.count
            }
        }
        return total
    }

    func flap(fraction: Double) async throws -> Int {
        let before = try states()
        for p in running.withLock({ $0 }) { kill(p.pid, SIGUSR1) }
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            let now = try states()
            let done = zip(before, now).allSatisfy { ($1?.flapRequests ?? 0) > ($0?.flapRequests ?? 0) }
            if done { return zip(before, now).reduce(0) { $0 + ($1.1?.dropped ?? 0) - ($1.0?.dropped ?? 0) } }
            guard ContinuousClock.now < deadline else { throw BenchError("the simulator workers did not flap within 10 s of SIGUSR1") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func residentBytes() -> Int {
        running.withLock { $0 }.reduce(0) { $0 + ($1.memory()?.rssKiB ?? 0) * 1024 }
    }

    /// SIGTERM (each spoke announces itself offline and disconnects), then SIGKILL after 30 s.
    func stop() async {
        let processes = running.withLock { $0 }
        for p in processes { kill(p.pid, SIGTERM) }
        for p in processes { _ = try? await p.waitForExit(timeout: .seconds(30)) }
    }
}
