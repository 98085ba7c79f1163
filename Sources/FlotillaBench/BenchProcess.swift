import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A child process of a benchmark (the `flotilla` executable itself), started with
/// `posix_spawn` with an empty signal mask and default handlers, reaped with `wait4` so its
/// peak resident memory (`ru_maxrss`) is known, and readable in `/proc` while it runs.
final class BenchProcess: Sendable {
    /// How a process ended.
    struct Exit: Sendable {
        /// The exit code, or 128 + the signal that ended it.
        var code: Int32
        /// From spawn to reaping (polled every 2 ms).
        var wall: Duration
        /// Peak resident set, in KiB (`ru_maxrss`).
        var maxRSSKiB: Int
    }

    let name: String
    let pid: pid_t
    let started: ContinuousClock.Instant
    /// Where stderr (and stdout unless sent elsewhere) goes.
    let logFile: String
    private let ended = Mutex<Exit?>(nil)

    /// Starts `executable` with `arguments`; stdout goes to `stdout` (a path, `/dev/null` to
    /// drop it, or `nil` for the log), stderr to `logFile` (appended).
    init(name: String, executable: String, arguments: [String], stdout: String? = nil, logFile: String) throws {
        self.name = name
        self.logFile = logFile
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let stdout {
            posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 2, 1)
        }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attr, argv, environ)
        guard rc == 0 else { throw BenchError("cannot start \(executable): \(String(cString: strerror(rc)))") }
        pid = child
        started = .now
    }

    /// The exit, if the process has ended (reaping it if it just did).
    func poll() -> Exit? {
        ended.withLock { exit in
            if let exit { return exit }
            var status: Int32 = 0
            var usage = rusage()
            guard wait4(pid, &status, WNOHANG, &usage) == pid else { return nil }
            exit = Self.exit(status: status, usage: usage, since: started)
            return exit
        }
    }

    var isRunning: Bool { poll() == nil }

    /// Waits for the process to end by itself.
    /// - Throws: ``BenchError`` naming the process and its log when it runs past `timeout`
    ///   (it is then killed).
    func waitForExit(timeout: Duration) async throws -> Exit {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let exit = poll() { return exit }
            guard ContinuousClock.now < deadline else {
                kill()
                throw BenchError("\(name) (pid \(pid)) still running after \(timeout); killed it. Its log: \(logFile)")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// SIGKILL and reap; nothing if it already ended.
    func kill() {
        ended.withLock { exit in
            guard exit == nil else { return }
            Glibc.kill(pid, SIGKILL)
            var status: Int32 = 0
            var usage = rusage()
            while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
            exit = Self.exit(status: status, usage: usage, since: started)
        }
    }

    /// `VmRSS` and `VmHWM` (peak) of the running process, in KiB, from `/proc/PID/status`.
    func memory() -> (rssKiB: Int, peakKiB: Int)? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func field(_ name: String) -> Int? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        guard let rss = field("VmRSS"), let hwm = field("VmHWM") else { return nil }
        return (rss, hwm)
    }

    /// The last `lines` lines of the log, for error messages.
    func logTail(lines: Int = 20) -> String {
        let text = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    private static func exit(status: Int32, usage: rusage, since started: ContinuousClock.Instant) -> Exit {
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return Exit(code: code, wall: .now - started, maxRSSKiB: Int(usage.ru_maxrss))
    }
}
