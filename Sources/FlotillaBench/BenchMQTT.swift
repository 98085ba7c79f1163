import FlotillaMQTT
import Foundation

/// What every benchmark does with bare libmosquitto clients: connect one, and publish a batch
/// at QoS 1 as fast as the wrapper goes (the raw limit the hub is compared with).
enum BenchMQTT {
    /// A clean-session client of the bench broker, started (subscriptions added before it
    /// connects are sent on connect).
    static func client(port: Int32, id: String, subscriptions: [String] = []) throws -> MQTTClient {
        let c = try MQTTClient(
            configuration: MQTTConfiguration(host: "127.0.0.1", port: port, clientID: id, cleanStart: true, sessionExpiry: 0))
        for s in subscriptions { try c.subscribe(s, qos: 1) }
        c.start()
        return c
    }

    static func connected(_ c: MQTTClient, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !c.isConnected {
            guard ContinuousClock.now < deadline else {
                throw BenchError("no connection to the bench broker for \(c.configuration.clientID) after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// When a batch went out and when its last PUBACK came back.
    struct Burst: Sendable {
        var firstPublish: ContinuousClock.Instant
        var lastAck: ContinuousClock.Instant
        var messages: Int
        var bytes: Int
        var elapsed: Duration { lastAck - firstPublish }
    }

    /// Hands every message to libmosquitto (QoS 1, our wrapper's `enqueue`, nothing else) and
    /// awaits every PUBACK.
    static func publishAll(_ client: MQTTClient, _ messages: [(topic: String, payload: [UInt8])], retain: Bool) async throws -> Burst {
        var tickets: [PendingPublish] = []
        tickets.reserveCapacity(messages.count)
        let start = ContinuousClock.now
        for m in messages { tickets.append(try client.enqueue(topic: m.topic, payload: m.payload, retain: retain)) }
        for t in tickets { try await t.acknowledged() }
        return Burst(firstPublish: start, lastAck: .now, messages: messages.count, bytes: messages.reduce(0) { $0 + $1.payload.count })
    }
}

extension BenchMQTT {
    /// Waits until a subscriber's subscriptions are in place: publishes on its `readyTopic`
    /// (subscribed first, so the others are active once it arrives) until `isReady()`.
    static func awaitSubscribed(
        _ name: String, readyTopic: String, via publisher: MQTTClient, timeout: Duration = .seconds(10), isReady: () -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while !isReady() {
            guard ContinuousClock.now < deadline else { throw BenchError("\(name) never received its probe on \(readyTopic) within \(timeout)") }
            if publisher.isConnected { _ = try? publisher.send(topic: readyTopic, payload: Array("ready".utf8), qos: 1) }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
