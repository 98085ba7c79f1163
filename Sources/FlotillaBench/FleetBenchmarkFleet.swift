import FlotillaSim
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// What `bench fleet` reads of the simulated spokes: a ``FleetSimulator``'s ``FleetSnapshot``,
/// summed over every process that simulates a share of the fleet. Codable: a worker process
/// writes it to a file for the benchmark to read.
public struct FleetCounts: Sendable, Codable, Hashable {
    public var spokes = 0
    public var started = 0
    public var connected = 0
    public var connects = 0
    public var disconnects = 0
    public var connectFailures = 0
    public var bundlesReceived = 0
    public var bundlesRefused = 0
    public var duplicatesAvoided = 0
    public var applies = 0
    /// Spokes per newest applied generation.
    public var appliedGenerations: [Int64: Int] = [:]
    /// Distinct reports written to the outboxes.
    public var reportsWritten = 0
    public var reportsSent = 0
    public var resends = 0
    public var reportsAcked = 0
    public var epochsStarted = 0
    public var flaps = 0

    public init() {}

    init(_ s: FleetSnapshot) {
        spokes = s.spokes
        started = s.started
        connected = s.connected
        connects = s.connects
        disconnects = s.disconnects
        connectFailures = s.connectFailures
        bundlesReceived = s.bundlesReceived
        bundlesRefused = s.bundlesRefused
        duplicatesAvoided = s.duplicatesAvoided
        applies = s.applies
        appliedGenerations = s.appliedGenerations
        reportsWritten = s.reportsWritten
        reportsSent = s.reportsSent
        resends = s.resends
        reportsAcked = s.reportsAcked
        epochsStarted = s.epochsStarted
        flaps = s.flaps
    }

    /// Reports written and not yet covered by a hub ack.
    public var reportsPending: Int { reportsWritten - reportsAcked }

    /// Spokes whose newest applied generation is at least `generation`.
    public func spokesApplied(atLeast generation: Int64) -> Int {
        appliedGenerations.reduce(0) { $0 + ($1.key >= generation ? $1.value : 0) }
    }

    static func + (a: FleetCounts, b: FleetCounts) -> FleetCounts {
        var c = a
        c.spokes += b.spokes
        c.started += b.started
        c.connected += b.connected
        c.connects += b.connects
        c.disconnects += b.disconnects
        c.connectFailures += b.connectFailures
        c.bundlesReceived += b.bundlesReceived
        c.bundlesRefused += b.bundlesRefused
        c.duplicatesAvoided += b.duplicatesAvoided
        c.applies += b.applies
        c.appliedGenerations.merge(b.appliedGenerations, uniquingKeysWith: +)
        c.reportsWritten += b.reportsWritten
        c.reportsSent += b.reportsSent
        c.resends += b.resends
        c.reportsAcked += b.reportsAcked
        c.epochsStarted += b.epochsStarted
        c.flaps += b.flaps
        return c
    }

    /// One line for people.
    public var summary: String {
        let generations = appliedGenerations.keys.sorted(by: >).prefix(3).map { "g\($0): \(appliedGenerations[$0]!)" }
        return "connected \(connected)/\(spokes) (connects \(connects), failures \(connectFailures), flaps \(flaps))"
            + " | bundles \(bundlesReceived) (refused \(bundlesRefused), same \(duplicatesAvoided)) | applied \(generations.isEmpty ? "none" : generations.joined(separator: ", "))"
            + " | reports written \(reportsWritten) sent \(reportsSent) (resends \(resends)) acked \(reportsAcked) pending \(reportsPending)"
    }
}

/// The simulated spokes of one benchmark run, wherever they run.
protocol BenchFleet: AnyObject, Sendable {
    /// Where the spokes run, for the output: "in-process" or "N worker processes".
    var placement: String { get }
    var processes: Int { get }
    /// The simulator's own processes (empty when it runs in the benchmark's).
    var pids: [pid_t] { get }
    func start() throws
    /// Counts as of now (a worker's are at most ``FleetSimWorker/interval`` old).
    func counts() throws -> FleetCounts
    /// Drops the connections of `fraction` of the spokes (of each process's share); returns how many.
    func flap(fraction: Double) async throws -> Int
    /// Resident memory of the simulator (`VmRSS`), in bytes: its processes', or for an
    /// in-process simulator the growth of this process's since just before it was created.
    func residentBytes() -> Int
    func stop() async
}

/// The simulator in this process: one ``FleetSimulator``, counts exact and current.
final class InProcessFleet: BenchFleet {
    let simulator: FleetSimulator
    /// `VmRSS` of this process just before the simulator was created.
    let baselineRSS: Int
    var placement: String { "in-process" }
    var processes: Int { 1 }
    var pids: [pid_t] { [] }

    init(configuration: FleetSimulatorConfiguration) throws {
        baselineRSS = SelfMemory.rssBytes()
        var logger = Logger(label: "flotilla.bench.sim")
        logger.logLevel = .warning
        simulator = try FleetSimulator(configuration: configuration, logger: logger)
    }

    func start() throws { simulator.start() }
    func counts() throws -> FleetCounts { FleetCounts(simulator.snapshot()) }
    func flap(fraction: Double) async throws -> Int { simulator.flap(fraction: fraction) }
    func residentBytes() -> Int { max(0, SelfMemory.rssBytes() - baselineRSS) }
    func stop() async { await simulator.stop() }
}

/// This process's resident memory, from `/proc/self/status`.
enum SelfMemory {
    static func rssBytes() -> Int { field("VmRSS") * 1024 }
    static func peakBytes() -> Int { field("VmHWM") * 1024 }

    private static func field(_ name: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") })
        else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
}

/// CPU time from `/proc`: of processes (`utime + stime`) and of the whole machine (every CPU's
/// busy time), to say where a stage's time went on a shared machine.
enum CPUTime {
    static let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// Seconds of CPU `pid` has used, or 0 when it is gone.
    static func process(_ pid: pid_t) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return 0 }
        // After "pid (comm) ": state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / ticks
    }

    /// Seconds of CPU every core of the machine spent busy (not idle or waiting for I/O).
    static func machineBusy() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") })
        else { return 0 }
        let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard v.count >= 5 else { return 0 }
        // user nice system idle iowait irq softirq steal (guest time is inside user).
        let busy = v.prefix(8).enumerated().filter { $0.offset != 3 && $0.offset != 4 }.reduce(0) { $0 + $1.element }
        return busy / ticks
    }
}
