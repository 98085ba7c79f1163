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

    init(inflight: Int) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        port = try FreePort.find()
        let conf = """
            user \(ProcessInfo.processInfo.userName)
            listener \(port) 127.0.0.1
            allow_anonymous true
            persistence false
            max_inflight_messages \(inflight)
            max_queued_messages 1000000
            max_queued_bytes 0
            log_dest none
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
        try FreePort.waitUntilListening(port: port, timeout: 10)
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: dir)
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
