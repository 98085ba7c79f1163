import FlotillaFixtures
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throw-away mosquitto on a free loopback port for benchmarks (no persistence).
final class BenchBroker {
    let port: Int32
    let dir: URL
    let process: Process
    /// The broker's log (`log_dest file`), when asked for.
    let logFile: URL?
    /// Whether ``stop()`` removes ``dir`` (only a directory the broker made itself).
    private let ownsDirectory: Bool

    /// - Parameters:
    ///   - directory: where the config (and log) go; a new temporary directory, removed by
    ///     ``stop()``, when `nil`.
    ///   - log: keep mosquitto's log (connections, errors, warnings) in `DIR/mosquitto.log`.
    init(inflight: Int, directory: URL? = nil, log: Bool = false) throws {
        ownsDirectory = directory == nil
        dir = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        port = try FreePort.find()
        logFile = log ? dir.appendingPathComponent("mosquitto.log") : nil
        let logging = logFile.map { "log_dest file \($0.path)\nlog_type error\nlog_type warning\nlog_type notice\nlog_type information" } ?? "log_dest none"
        let conf = """
            user \(ProcessInfo.processInfo.userName)
            listener \(port) 127.0.0.1
            allow_anonymous true
            persistence false
            max_inflight_messages \(inflight)
            max_queued_messages 1000000
            max_queued_bytes 0
            \(logging)
            """
        try conf.write(to: dir.appendingPathComponent("m.conf"), atomically: true, encoding: .utf8)
        process = Process()
        let candidates = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"]
        guard let exe = candidates.first(where: FileManager.default.isExecutableFile) else {
            throw BenchError("mosquitto not found: run `make deps`")
        }
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = ["-c", dir.appendingPathComponent("m.conf").path]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        do {
            try FreePort.waitUntilListening(port: port, timeout: 10)
        } catch {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw BenchError("mosquitto did not listen on 127.0.0.1:\(port): \(error); config and log in \(dir.path)")
        }
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        if ownsDirectory { try? FileManager.default.removeItem(at: dir) }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
