import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `flotilla` (or other) process started by a test, with its output in a log file, that the
/// test can SIGKILL or SIGTERM.
public final class ChildProcess: Sendable {
    let process: SpawnedProcess
    public let logFile: URL

    public init(executable: String, arguments: [String], logFile: URL) throws {
        self.logFile = logFile
        process = try SpawnedProcess(executable: executable, arguments: arguments, logFile: logFile.path)
    }

    public var pid: Int32 { process.pid }
    public var isRunning: Bool { process.isRunning }

    /// SIGKILL: no chance to clean up, as in a power cut.
    public func kill() {
        guard process.isRunning else { return }
        process.signal(SIGKILL)
        process.wait()
    }

    /// SIGTERM, then wait for the exit; returns the exit code (128 + signal if killed by one).
    @discardableResult
    public func terminate() -> Int32 {
        if process.isRunning { process.signal(SIGTERM) }
        return process.exitCode
    }

    /// Waits for the process to exit by itself; returns its exit code.
    public func waitForExit() -> Int32 { process.exitCode }

    public var output: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    deinit { kill() }
}
