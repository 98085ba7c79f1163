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
        port = Int32.random(in: 20000...40000)
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
        let deadline = Date().addingTimeInterval(10)
        while !Self.listening(port) {
            guard Date() < deadline else { throw BenchError("mosquitto did not start on port \(port)") }
            usleep(20_000)
        }
    }

    static func listening(_ port: Int32) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
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
