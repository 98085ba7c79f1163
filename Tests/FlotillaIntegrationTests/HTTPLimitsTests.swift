import FlotillaTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Slowloris against the hub's HTTP API: clients that never finish their headers are
/// disconnected, and however many there are, the hub's file descriptors stay bounded.
@Suite(.serialized)
struct HTTPLimitsTests {
    /// A TCP connection to 127.0.0.1 that sends an unfinished request head.
    final class SlowClient {
        let fd: Int32

        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else { throw TestSupportError("connect: \(String(cString: strerror(errno)))") }
            var timeout = timeval(tv_sec: 0, tv_usec: 1)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            _ = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        }

        /// One more header byte, as a slowloris client sends to keep a read timeout at bay.
        func trickle() { _ = "a".withCString { send(fd, $0, 1, Int32(MSG_NOSIGNAL)) } }

        /// Whether the server has closed the connection (read returns end of file).
        var closedByServer: Bool {
            var byte: UInt8 = 0
            return recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) == 0
        }

        deinit { close(fd) }
    }

    static func openDescriptors(of pid: Int32) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
    }

    @Test func clientsThatNeverFinishTheirHeadersAreDisconnectedAndDescriptorsStayBounded() async throws {
        let h = try FleetHarness()
        try h.write("inventory.yaml", FleetYAML.spoke("store-a", labels: ["site": "store"]))
        let port = Int(try FreePort.find())
        let hub = try h.spawn(
            "hub",
            [
                "hub", "run", "--source", h.source.path, "--broker", h.broker.url, "--state", h.hubState, "--http", "127.0.0.1:\(port)",
                "--http-header-timeout", "1", "--http-idle-timeout", "2", "--http-max-connections", "40",
            ])
        defer { hub.kill() }
        try FreePort.waitUntilListening(port: Int32(port), timeout: 30)
        let baseline = Self.openDescriptors(of: hub.pid)
        var clients: [SlowClient] = []
        for _ in 0..<300 { clients.append(try SlowClient(port: port)) }
        var peak = 0
        for _ in 0..<6 {
            try await Task.sleep(for: .milliseconds(250))
            for c in clients { c.trickle() }
            peak = max(peak, Self.openDescriptors(of: hub.pid))
        }
        #expect(peak <= baseline + 40 + 4, "the hub held \(peak - baseline) connections beyond its baseline")
        // Every slow client is disconnected in turn: the ones let in first, then those that waited.
        try await eventually("every slow client disconnected", timeout: 60) {
            for c in clients { c.trickle() }
            return clients.allSatisfy(\.closedByServer)
        }
        // And the API still answers.
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self) == "ok\n")
        #expect(hub.isRunning)
    }
}
