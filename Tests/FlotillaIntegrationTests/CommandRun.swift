import FlotillaTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A command run to completion: `mosquitto_sub`, `mosquitto_pub` or the `flotilla` binary,
/// started with `posix_spawn` and awaited without blocking a thread of the test's pool.
struct CommandRun {
    let status: Int32
    let output: String

    /// Runs `executable` and waits (polling) for it to exit. Commands here bound themselves
    /// (`-W`, `-C`, or they are one-shot); `timeout` only turns a hang into a failure.
    static func run(_ executable: String, _ arguments: [String], timeout: Double = 30) async throws -> CommandRun {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-test-cmd-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let process = try SpawnedProcess(executable: executable, arguments: arguments, logFile: log.path)
        do {
            try await eventually("\((executable as NSString).lastPathComponent) exits", timeout: timeout) { !process.isRunning }
        } catch {
            process.signal(SIGKILL)
            process.wait()
            throw error
        }
        return CommandRun(status: process.exitCode, output: (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    static func flotilla(_ arguments: [String]) async throws -> CommandRun {
        try await run(try Executable.flotilla(), arguments)
    }

    /// `mosquitto_sub` against 127.0.0.1:`port`; `credentials` nil connects anonymously.
    static func mosquittoSub(port: Int32, credentials: (String, String)?, _ arguments: [String]) async throws -> CommandRun {
        try await run(
            try Executable.find("mosquitto_sub"),
            ["-h", "127.0.0.1", "-p", String(port)] + login(credentials) + arguments)
    }

    /// `mosquitto_pub` against 127.0.0.1:`port`; `credentials` nil connects anonymously.
    static func mosquittoPub(port: Int32, credentials: (String, String)?, _ arguments: [String]) async throws -> CommandRun {
        try await run(
            try Executable.find("mosquitto_pub"),
            ["-h", "127.0.0.1", "-p", String(port)] + login(credentials) + arguments)
    }

    static func login(_ credentials: (String, String)?) -> [String] {
        guard let (user, password) = credentials else { return [] }
        return ["-u", user, "-P", password]
    }
}
