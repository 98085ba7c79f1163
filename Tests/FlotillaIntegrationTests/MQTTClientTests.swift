import FlotillaMQTT
import FlotillaTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing

/// The libmosquitto wrapper against a real broker.
@Suite(.serialized)
struct MQTTClientTests {
    static func client(_ broker: MosquittoBroker, _ id: String, clean: Bool = false) throws -> MQTTClient {
        try MQTTClient(
            configuration: MQTTConfiguration(
                host: "127.0.0.1", port: broker.port, clientID: id, keepalive: 5, cleanStart: clean,
                sessionExpiry: clean ? 0 : 3600, reconnectMin: 0.1, reconnectMax: 0.5))
    }

    @Test func publishCompletesOnPubackAndSubscribersReceive() async throws {
        let broker = try MosquittoBroker()
        let sub = try Self.client(broker, "sub")
        try sub.subscribe("t/#")
        sub.start()
        let pub = try Self.client(broker, "pub", clean: true)
        pub.start()
        try await eventually("both connected") { sub.isConnected && pub.isConnected }
        for i in 0..<50 { try await pub.publish(topic: "t/\(i)", payload: Array("m\(i)".utf8)) }
        var received: [String] = []
        for await m in sub.messages {
            received.append(String(decoding: m.payload, as: UTF8.self))
            if received.count == 50 { break }
        }
        #expect(received == (0..<50).map { "m\($0)" }, "QoS 1 from one publisher arrives in order")
        await pub.stop()
        await sub.stop()
    }

    /// libmosquitto's own loop selects, and select refuses descriptors from 1024 up; the
    /// thread driver polls, so a client whose socket is numbered above that still works.
    @Test func aClientWhoseSocketIsAbove1024Works() async throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        guard limit.rlim_max >= 1200 else {
            Issue.record("the hard open-file limit (\(limit.rlim_max)) is below 1200: cannot place a socket above 1024")
            return
        }
        if limit.rlim_cur < 1200 {
            limit.rlim_cur = min(limit.rlim_max, 4096)
            #expect(setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0)
        }
        var fillers: [Int32] = []
        defer { for fd in fillers { close(fd) } }
        while true {
            let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { break }
            fillers.append(fd)
            if fd >= 1100 { break }
        }
        #expect((fillers.last ?? 0) >= 1100, "descriptors below 1100 are taken")
        let broker = try MosquittoBroker()
        let sub = try Self.client(broker, "high-sub")
        try sub.subscribe("h/#")
        sub.start()
        let pub = try Self.client(broker, "high-pub", clean: true)
        pub.start()
        try await eventually("both connected") { sub.isConnected && pub.isConnected }
        for i in 0..<10 { try await pub.publish(topic: "h/\(i)", payload: [UInt8(i)]) }
        var received = 0
        for await _ in sub.messages {
            received += 1
            if received == 10 { break }
        }
        #expect(received == 10)
        await pub.stop()
        await sub.stop()
    }

    @Test func aPersistentSessionReceivesWhatWasPublishedWhileItWasAway() async throws {
        let broker = try MosquittoBroker()
        var sub = try Self.client(broker, "sleeper")
        try sub.subscribe("q/#")
        sub.start()
        try await eventually("subscribed") { sub.isConnected }
        await sub.stop()
        let pub = try Self.client(broker, "pub2", clean: true)
        pub.start()
        for i in 0..<20 { try await pub.publish(topic: "q/\(i)", payload: [UInt8(i)]) }
        // Same client id, clean start off: the broker kept the session and queued the messages.
        sub = try Self.client(broker, "sleeper")
        sub.start()
        var got: [UInt8] = []
        for await m in sub.messages {
            got.append(contentsOf: m.payload)
            if got.count == 20 { break }
        }
        #expect(got == Array(0..<20))
        await pub.stop()
        await sub.stop()
    }

    @Test func connectionFailuresAreReportedWithMosquittosMessageAndRetried() async throws {
        let port = try FreePort.find()
        let client = try MQTTClient(
            configuration: MQTTConfiguration(host: "127.0.0.1", port: port, clientID: "lonely", reconnectMin: 0.05, reconnectMax: 0.2))
        client.start()
        var failures: [MQTTError] = []
        for await event in client.events {
            if case .connectFailed(let e) = event { failures.append(e) }
            if failures.count == 3 { break }
        }
        #expect(failures.count == 3, "the loop keeps retrying")
        #expect(failures[0].description.contains("127.0.0.1:\(port)"))
        #expect(failures[0].description.lowercased().contains("refused"), "\(failures[0])")
        await client.stop()
    }

    @Test func aClientStoppedWhileWaitingForPubackFailsTheWaiter() async throws {
        let port = try FreePort.find()
        let client = try MQTTClient(configuration: MQTTConfiguration(host: "127.0.0.1", port: port, clientID: "never"))
        client.start()
        // Not connected: the message is queued inside libmosquitto and its PUBACK cannot come.
        let ticket = try client.enqueue(topic: "x", payload: [1])
        await client.stop()
        await #expect(throws: MQTTError.self) { try await ticket.acknowledged() }
    }
}
