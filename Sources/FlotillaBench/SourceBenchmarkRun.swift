import FlotillaFixtures
import FlotillaMQTT
import FlotillaWire
import Foundation

/// One `bench source` run: its directory, the processes and clients it started (all stopped by
/// ``shutdown(removeFiles:)`` on every path), and the stages in order.
final class SourceBenchmarkRun {
    let spokes: Int
    let objects: Int
    let policies: Int
    let reports: Int
    let executable: String
    /// The run's directory: `source/`, the hub's state and key, every log.
    let dir: URL
    var sourceDir: URL { dir.appendingPathComponent("source") }
    var writer: KubeStellarSourceWriter
    let topics = Topics()

    var broker: BenchBroker?
    var children: [BenchProcess] = []
    var hub: BenchProcess?
    var publisher: MQTTClient?
    var watcher: BundleWatcher?
    var rawCounter: MessageCounter?
    var statusCounter: MessageCounter?
    var metrics: MetricsProbe?

    /// Scratch topics of the bare comparisons, which the hub does not read.
    static let rawFilter = "bench/raw/+/desired"
    static func rawTopic(_ spoke: String) -> String { "bench/raw/\(spoke)/desired" }
    static let scratchStatus = Topics(prefix: "bench/status")

    init(spokes: Int, objects: Int, policies: Int, reports: Int, executable: String) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else { throw BenchError("\(executable) is not an executable") }
        self.spokes = spokes
        self.objects = objects
        self.policies = policies
        self.reports = reports
        self.executable = executable
        writer = KubeStellarSourceWriter(spokes: spokes, objects: objects, policies: policies)
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-bench-source-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    /// Stops every client, SIGKILLs and reaps every child, stops the broker.
    func shutdown(removeFiles: Bool) async {
        for c in [rawCounter, statusCounter] { await c?.stop() }
        await watcher?.stop()
        await publisher?.stop()
        for p in children { p.kill() }
        broker?.stop()
        if removeFiles { try? FileManager.default.removeItem(at: dir) }
    }

    /// Runs `flotilla ARGS` to completion; stdout to `stdout` (default /dev/null).
    func runChild(_ name: String, _ arguments: [String], stdout: String = "/dev/null", timeout: Duration) async throws
        -> BenchProcess.Exit
    {
        let p = try BenchProcess(
            name: "flotilla \(arguments.first ?? "")", executable: executable, arguments: arguments, stdout: stdout,
            logFile: dir.appendingPathComponent("\(name).log").path)
        children.append(p)
        let exit = try await p.waitForExit(timeout: timeout)
        guard exit.code == 0 else {
            throw BenchError("`flotilla \(arguments.joined(separator: " "))` exited with \(exit.code); its log (\(p.logFile)) ends:\n\(p.logTail())")
        }
        return exit
    }

    /// Polls `done` every 5 ms until it holds.
    /// - Throws: ``BenchError`` saying what was awaited and how far it got (`progress`), and
    ///   the hub's log tail if the hub died meanwhile.
    func wait(
        _ what: String, timeout: Duration, every interval: Duration = .milliseconds(5), progress: () -> String,
        until done: () async throws -> Bool
    ) async throws {
        let start = ContinuousClock.now
        while try await !done() {
            if let hub, let exit = hub.poll() {
                throw BenchError("the hub exited with \(exit.code) while waiting for \(what) (\(progress())); \(hub.logFile) ends:\n\(hub.logTail())")
            }
            guard ContinuousClock.now - start < timeout else {
                throw BenchError("timed out after \(timeout) waiting for \(what): \(progress())")
            }
            try await Task.sleep(for: interval)
        }
    }

    /// Waits until the watcher has seen no message for `quiet` (at most `limit`).
    func settle(quiet: Duration, limit: Duration = .seconds(30)) async throws {
        guard let watcher else { return }
        let start = ContinuousClock.now
        var count = watcher.state.withLock { $0.messages }
        var since = ContinuousClock.now
        while ContinuousClock.now - since < quiet, ContinuousClock.now - start < limit {
            try await Task.sleep(for: .milliseconds(50))
            let now = watcher.state.withLock { $0.messages }
            if now != count {
                count = now
                since = .now
            }
        }
    }

    /// A timeout that grows with the fleet: `base` plus `perItem` for each of `items`.
    static func timeout(_ base: Int, items: Int, perItem: Duration) -> Duration { .seconds(base) + perItem * items }

    static func ms(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15
    }

    static func rate(_ count: Int, _ d: Duration) -> Double {
        let s = ms(d) / 1000
        return s > 0 ? Double(count) / s : 0
    }

    static func format(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }
}
