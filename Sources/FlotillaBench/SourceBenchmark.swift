import Foundation

/// What a user runs, timed from files: a KubeStellar-style source of N spokes written as YAML
/// (``FlotillaFixtures/KubeStellarSourceWriter``), then the `flotilla` executable itself as
/// child processes: `plan` of the whole source and of one spoke, and `hub run` against a real
/// mosquitto, measured from outside as an operator or a fleet would see it:
///
/// 1. `plan --source DIR -o json` and `plan --source DIR --spoke ONE`: wall time and peak RSS.
/// 2. The hub publishing a bundle for every spoke (a bare wildcard subscriber counts them), a
///    change of one file that every spoke receives (write → first and last new bundle), and a
///    change of one spoke's labels (write → its new bundle; no other spoke changes).
/// 3. The raw limit in the same broker: the hub's envelopes published again by a bare QoS 1
///    publisher; the ratio of the hub's rate to it.
/// 4. Status ingest: a burst of valid reports from every spoke, timed until the hub's
///    `/metrics` says it stored them all, against a bare subscriber receiving the same burst.
///
/// Logs (hub, broker, plan runs) are in the run's directory, kept and named when it fails.
public enum SourceBenchmark {
    /// `--poll` of the benchmark's hub: how often it checks the source directory (seconds).
    public static let pollSeconds = 0.1

    /// Runs everything once.
    /// - Parameters:
    ///   - executable: the `flotilla` binary to run; this process's own executable when `nil`
    ///     (what `flotilla bench source` does).
    ///   - keepFiles: keep the run's directory (source, state, logs) even when it succeeds.
    ///   - say: progress and `RESULT` lines.
    public static func run(
        spokes: Int, objects: Int = 2_000, policies: Int = 200, reports: Int = 2, executable: String? = nil,
        keepFiles: Bool = false, print say: (String) -> Void
    ) async throws -> SourceBenchmarkResult {
        guard spokes >= 1, reports >= 1 else { throw BenchError("--spokes and --reports must be at least 1") }
        let run = try SourceBenchmarkRun(
            spokes: spokes, objects: objects, policies: policies, reports: reports,
            executable: try executable ?? currentExecutable())
        say("run directory: \(run.dir.path)")
        do {
            let result = try await run.execute(say)
            await run.shutdown(removeFiles: !keepFiles)
            return result
        } catch {
            await run.shutdown(removeFiles: false)
            say("FAILED: \(error)")
            say("  kept for inspection in \(run.dir.path): source/, hub.log, mosquitto.log, plan-*.log, keygen.log")
            throw error
        }
    }

    /// The running executable, resolved (`/proc/self/exe`).
    static func currentExecutable() throws -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        if let path = Bundle.main.executablePath { return path }
        throw BenchError("cannot tell where this executable is (/proc/self/exe unreadable)")
    }
}
