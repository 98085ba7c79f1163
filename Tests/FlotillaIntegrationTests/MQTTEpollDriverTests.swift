import FlotillaMQTT
import FlotillaTestSupport
import Foundation
import Synchronization
import Testing

/// One `EpollDriver` thread driving many connections against a real broker: delivery,
/// PUBACKs, a broker killed and restarted under them, and a clean stop. Counts, not timings.
@Suite(.serialized)
struct MQTTEpollDriverTests {
    /// Kept well below what would push the test process past 1,024 descriptors (each libmosquitto
    /// client holds a socket and a socket pair): the other suites' thread-driven clients run
    /// `select()` in the same process at the same time. `flotilla bench fleet` runs the big sizes.
    static let count = 100

    /// What each connection heard, by index, recorded by child tasks reading its streams.
    final class Journal: Sendable {
        struct Record: Sendable {
            var messages: [MQTTMessage] = []
            var events: [MQTTEvent] = []

            var sessionPresentOnConnects: [Bool] {
                events.compactMap { if case .connected(let present) = $0 { present } else { nil } }
            }
            var disconnects: Int { events.count { if case .disconnected = $0 { true } else { false } } }
        }

        private let records: Mutex<[Record]>

        init(count: Int) { records = Mutex(Array(repeating: Record(), count: count)) }

        func add(_ index: Int, _ message: MQTTMessage) { records.withLock { $0[index].messages.append(message) } }
        func add(_ index: Int, _ event: MQTTEvent) { records.withLock { $0[index].events.append(event) } }

        /// How many connections' records satisfy `predicate` (given the index and the record).
        func count(where predicate: (Int, Record) -> Bool) -> Int {
            records.withLock { r in r.indices.count { predicate($0, r[$0]) } }
        }
    }

    static func id(_ i: Int) -> String { "ep-\(i)" }
    static func topic(_ i: Int) -> String { "ep/\(i)" }
    static func payload(_ round: String, _ i: Int) -> [UInt8] { Array("\(round)-\(i)".utf8) }

    static func configuration(port: Int32, clientID: String, clean: Bool) -> MQTTConfiguration {
        MQTTConfiguration(
            host: "127.0.0.1", port: port, clientID: clientID, keepalive: 10, cleanStart: clean,
            sessionExpiry: clean ? 0 : 3600, reconnectMin: 0.05, reconnectMax: 0.5)
    }

    @Test(.timeLimit(.minutes(3)))
    func oneThreadDrivesThreeHundredPersistentSessionsThroughABrokerRestart() async throws {
        let n = Self.count
        // First, so that the broker (a child process) inherits the raised limit too.
        let driver = try EpollDriver()
        let limit = driver.fileDescriptorLimit
        #expect(limit.soft == limit.hard && limit.soft >= limit.previous, "\(limit)")
        try #require(limit.soft > UInt64(3 * n + 200), "too few descriptors for \(n) connections: \(limit)")
        let broker = try MosquittoBroker(extraConfig: "max_connections \(n + 50)")

        let journal = Journal(count: n)
        var connections: [MQTTConnection] = []
        for i in 0..<n {
            let connection = try MQTTConnection(
                configuration: Self.configuration(port: broker.port, clientID: Self.id(i), clean: false), driver: driver)
            // Before start: the subscription goes out with every connect, the first one included.
            try connection.subscribe(Self.topic(i), qos: 1)
            connections.append(connection)
        }
        let publisher = try MQTTConnection(
            configuration: Self.configuration(port: broker.port, clientID: "ep-publisher", clean: true), driver: driver)
        let all = connections

        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, connection) in all.enumerated() {
                group.addTask { for await m in connection.messages { journal.add(i, m) } }
                group.addTask { for await e in connection.events { journal.add(i, e) } }
            }
            for connection in all { connection.start() }
            publisher.start()
            #expect(driver.connectionCount == n + 1)
            try await eventually("all \(n) connected and subscribed", timeout: 60) {
                publisher.isConnected && all.allSatisfy { $0.counters.subacks == 1 }
            }

            // One retained QoS 1 message per topic; each connection receives its own.
            var tickets: [PendingPublish] = []
            for i in 0..<n {
                tickets.append(try publisher.enqueue(topic: Self.topic(i), payload: Self.payload("first", i), retain: true))
            }
            for ticket in tickets { try await ticket.acknowledged() }
            try await eventually("every connection received its own message") {
                journal.count { i, r in r.messages.contains { $0.payload == Self.payload("first", i) } } == n
            }
            #expect(journal.count { i, r in r.messages.allSatisfy { $0.topic == Self.topic(i) } } == n, "none heard another's topic")

            // Every connection's own QoS 1 publish completes on its PUBACK.
            let acknowledged = try await withThrowingTaskGroup(of: Int.self) { publishes in
                for (i, connection) in all.enumerated() {
                    publishes.addTask {
                        try await connection.publish(topic: "\(Self.topic(i))/out", payload: [UInt8(i % 256)], qos: 1)
                        return 1
                    }
                }
                return try await publishes.reduce(0, +)
            }
            #expect(acknowledged == n)

            // SIGKILL once a snapshot taken after all that holds every session and retained message.
            let database = broker.directory.appendingPathComponent("mosquitto.db")
            func saved() -> Date {
                (try? FileManager.default.attributesOfItem(atPath: database.path)[.modificationDate] as? Date) ?? .distantPast
            }
            // Two saves after this point: the first may have begun before it (on a loaded machine
            // a save takes a while), so only the second surely holds every session.
            let settled = Date()
            try await eventually("the broker saved its database", timeout: 15) { saved() > settled }
            let first = saved()
            try await eventually("the broker saved its database again", timeout: 15) { saved() > first }
            broker.kill()
            try await eventually("every connection saw the loss", timeout: 30) {
                journal.count { _, r in r.disconnects == 1 } == n && all.allSatisfy { !$0.isConnected }
            }
            try broker.start()
            try await eventually("every connection reconnected and renewed its subscription", timeout: 90) {
                all.allSatisfy { $0.counters.connects == 2 && $0.counters.subacks == 2 } && publisher.isConnected
            }
            #expect(all.allSatisfy { $0.counters.resubscribes == 2 }, "one SUBSCRIBE per connect")
            // The sessions were asked to persist: the broker brings them back (which ones made it
            // into its last snapshot before the SIGKILL is the broker's timing, not the driver's).
            #expect(journal.count { _, r in r.sessionPresentOnConnects.first == false } == n, "every first connect was a new session")
            let kept = journal.count { _, r in r.sessionPresentOnConnects == [false, true] }
            #expect(kept > n / 2, "the broker kept \(kept) of \(n) sessions")
            // The renewed subscription brings the retained message again, now flagged retained.
            try await eventually("every connection received its retained message again") {
                journal.count { i, r in r.messages.contains { $0.retained && $0.payload == Self.payload("first", i) } } == n
            }

            // And live traffic flows again on every connection.
            tickets.removeAll()
            for i in 0..<n { tickets.append(try publisher.enqueue(topic: Self.topic(i), payload: Self.payload("second", i))) }
            for ticket in tickets { try await ticket.acknowledged() }
            try await eventually("every connection received the second round") {
                journal.count { i, r in r.messages.contains { $0.payload == Self.payload("second", i) } } == n
            }

            // stop() closes all: clean DISCONNECTs, and every stream ends (the readers return).
            await driver.stop()
            #expect(driver.connectionCount == 0)
            #expect(all.allSatisfy { !$0.isConnected } && !publisher.isConnected)
            try await group.waitForAll()
        }
        try await eventually("the broker logged \(n + 1) clean disconnects") {
            let log = broker.log
            let clean = (0..<n).count { log.contains("Client \(Self.id($0)) disconnected.") }
            return clean == n && log.contains("Client ep-publisher disconnected.")
        }
        let late = try MQTTConnection(configuration: Self.configuration(port: broker.port, clientID: "late", clean: true), driver: driver)
        late.start()
        #expect(driver.connectionCount == 0, "a stopped driver starts nothing")
        await late.stop()
    }

    @Test func refusalsAndTLSFailuresAreReportedAsUnderAThreadAndRetried() async throws {
        let driver = try EpollDriver()
        func failures(_ connection: MQTTConnection, _ wanted: Int) async -> [MQTTError] {
            var failures: [MQTTError] = []
            for await event in connection.events {
                if case .connectFailed(let e) = event { failures.append(e) }
                if failures.count == wanted { break }
            }
            return failures
        }

        // Nobody listening: the non-blocking connect's refusal, with the errno of the read that saw it.
        let port = try FreePort.find()
        let lonely = try MQTTConnection(
            configuration: MQTTConfiguration(host: "127.0.0.1", port: port, clientID: "lonely", reconnectMin: 0.05, reconnectMax: 0.2),
            driver: driver)
        lonely.start()
        let refused = await failures(lonely, 3)
        await lonely.stop()
        #expect(refused.count == 3, "the driver keeps retrying")
        #expect(refused[0].description.contains("127.0.0.1:\(port)"), "\(refused[0])")
        #expect(refused[0].description.lowercased().contains("refused"), "\(refused[0])")
        #expect(refused[0].systemError == ECONNREFUSED, "\(refused[0])")

        // TLS: the broker's alert and OpenSSL's own words, as under a thread of its own.
        let h = try FleetHarness(tlsSpokes: ["store-a"])
        let certs = try #require(h.certificates)
        let tlsPort = try #require(h.tlsPort)
        let other = try TestCertificates(at: h.directory.appendingPathComponent("other-pki"), caName: "Some other CA")
        let foreign = try other.client("store-a")
        let storeA = try certs.client("store-a")
        let cases: [(String, MQTTConfiguration.TLS, String)] = [
            (
                "another CA's certificate",
                MQTTConfiguration.TLS(caFile: certs.caFile.path, certFile: foreign.certFile.path, keyFile: foreign.keyFile.path),
                "alert unknown ca"
            ),
            (
                "a server certificate from a CA the client does not trust",
                MQTTConfiguration.TLS(caFile: other.caFile.path, certFile: storeA.certFile.path, keyFile: storeA.keyFile.path),
                "certificate verify failed"
            ),
        ]
        for (what, tls, reason) in cases {
            let connection = try MQTTConnection(
                configuration: MQTTConfiguration(
                    host: "127.0.0.1", port: tlsPort, clientID: "intruder", keepalive: 5, cleanStart: true, sessionExpiry: 0,
                    tls: tls, reconnectMin: 0.05, reconnectMax: 0.2),
                driver: driver)
            connection.start()
            let failed = await failures(connection, 3)
            await connection.stop()
            #expect(failed.count == 3, "\(what)")
            #expect(failed.allSatisfy { $0.code == .tls }, "\(what): \(failed)")
            #expect(failed.first?.message.contains(reason) == true, "\(what): \(failed)")
            #expect(failed.first?.operation == "connect to 127.0.0.1:\(tlsPort)", "\(what): \(failed)")
        }

        // The fleet's own certificate: an asynchronous handshake that completes, and a PUBACK.
        let own = try MQTTConnection(
            configuration: MQTTConfiguration(
                host: "127.0.0.1", port: tlsPort, clientID: "store-a", keepalive: 5, cleanStart: true, sessionExpiry: 0,
                tls: try certs.tls(for: "store-a"), reconnectMin: 0.05, reconnectMax: 0.2),
            driver: driver)
        own.start()
        try await eventually("store-a connected over TLS", timeout: 15) { own.isConnected }
        // The spoke's own status topic, which the broker's ACL lets it write.
        try await own.publish(topic: "flotilla/v1/spokes/store-a/status", payload: Array("x".utf8))
        await driver.stop()
        #expect(!own.isConnected)
    }
}
