import FlotillaMQTT
import FlotillaWire
import Foundation
import Synchronization

/// A bare libmosquitto wildcard subscriber on every spoke's `desired` topic, as a fleet of
/// agents would see the hub's bundles: for each spoke, the newest generation seen (read from
/// the envelope's header), when it was first seen, and its envelope.
///
/// A bundle is *new* for a spoke when its header's generation is above the one seen before a
/// change; the same envelope again (the hub republishes every envelope when it connects) is not.
final class BundleWatcher: Sendable {
    struct Seen: Sendable {
        var generation: Int64
        /// When the first message of this generation arrived.
        var at: ContinuousClock.Instant
        var envelope: [UInt8]
    }

    struct State: Sendable {
        var latest: [String: Seen] = [:]
        var messages = 0
        /// Messages whose header could not be read, and empty (cleared) ones.
        var unreadable = 0
        var ready = false
    }

    let client: MQTTClient
    let topics: Topics
    let readyTopic: String
    let state = Mutex(State())
    private let consumer = Mutex<Task<Void, Never>?>(nil)

    init(port: Int32, topics: Topics) throws {
        self.topics = topics
        readyTopic = "bench/ready/bench-bundle-watcher"
        client = try BenchMQTT.client(port: port, id: "bench-bundle-watcher", subscriptions: [readyTopic, "\(topics.prefix)/spokes/+/desired"])
        let task = Task { [self] in await self.consume() }
        consumer.withLock { $0 = task }
    }

    /// Records every message until the client stops (which ends the stream).
    private func consume() async {
        for await message in client.messages {
            let now = ContinuousClock.now
            if message.topic == readyTopic {
                state.withLock { $0.ready = true }
                continue
            }
            guard let (spoke, channel) = topics.parse(message.topic), channel == .desired,
                let generation = Self.generation(of: message.payload)
            else {
                state.withLock {
                    $0.messages += 1
                    $0.unreadable += 1
                }
                continue
            }
            state.withLock { s in
                s.messages += 1
                if let old = s.latest[spoke], old.generation >= generation { return }
                s.latest[spoke] = Seen(generation: generation, at: now, envelope: message.payload)
            }
        }
    }

    /// The generation in an envelope's header, without verifying or inflating anything.
    static func generation(of envelope: [UInt8]) -> Int64? {
        guard envelope.count >= 8, Array(envelope[0..<4]) == Envelope.magic else { return nil }
        let length = envelope[4..<8].reduce(0) { $0 << 8 | Int($1) }
        guard length <= envelope.count - 8,
            let header = try? JSONDecoder().decode(Envelope.Header.self, from: Data(envelope[8..<8 + length]))
        else { return nil }
        return header.generation
    }

    /// Generation per spoke now.
    func generations() -> [String: Int64] { state.withLock { $0.latest.mapValues(\.generation) } }

    func latest() -> [String: Seen] { state.withLock { $0.latest } }

    /// The spokes whose generation is above `before`'s (a spoke absent from `before` counts as 0).
    func newer(than before: [String: Int64]) -> [String: Seen] {
        state.withLock { $0.latest.filter { $0.value.generation > before[$0.key] ?? 0 } }
    }

    func stop() async {
        consumer.withLock { $0?.cancel() }
        await client.stop()
    }
}
