import FlotillaHub
import FlotillaMQTT
import FlotillaModel
import FlotillaWire
import FlotillaStore
import Foundation
import Logging
import Synchronization

/// The hub's fan-out against the raw limit, in the same run and the same broker: N retained
/// QoS 1 messages of S bytes, all PUBACKed.
///
/// - raw: a bare libmosquitto publisher (our wrapper's `enqueue`, nothing else);
/// - hub: the hub's ``BundlePublisher``: sign and deflate an envelope per changed spoke, record
///   generations and envelopes in SQLite (one transaction for the batch), publish, await PUBACKs.
public enum FanoutBenchmark {
    public static func run(messages: Int, size: Int, print say: (String) -> Void) async throws {
        let broker = try BenchBroker(inflight: 500)
        defer { broker.stop() }
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }
        func client(_ id: String) throws -> MQTTClient { try BenchMQTT.client(port: broker.port, id: id) }
        func connected(_ c: MQTTClient) async throws { try await BenchMQTT.connected(c) }

        let raw = try client("bench-raw")
        try await connected(raw)
        let rawTime = try await BenchMQTT.publishAll(
            raw, (0..<messages).map { ("bench/raw/\($0)/desired", payload) }, retain: true
        ).elapsed
        await raw.stop()
        say("RESULT raw publisher: \(messages) × \(size) B retained QoS 1: \(Stopwatch.ms(rawTime))")

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-bench-hub-\(UUID().uuidString.prefix(8)).sqlite")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HubStore(path: dir.path)
        let key = SigningKey()
        let hub = try client("bench-hub")
        try await connected(hub)
        // The hub's own path: the same BundlePublisher, its sink keeping each PUBACK ticket.
        let sink = TicketSink(client: hub)
        let publisher = BundlePublisher(store: store, sink: sink, topics: Topics(), signingKey: key, logger: Logger(label: "bench"))
        // Per-spoke payloads differ, as real bundles do, so nothing is shared between envelopes.
        var payloads: [String: [UInt8]] = [:]
        let entries = (0..<messages).map { i in
            var p = payload
            for (j, b) in Array("spoke-\(i)".utf8).enumerated() where j < p.count { p[j] = b }
            payloads["spoke-\(i)"] = p
            return HubStore.PlanEntry(spoke: "spoke-\(i)", hash: SpokeBundle.hash(ofPayload: p), objects: [])
        }
        var start = ContinuousClock.now
        let outcome = try await publisher.publish(entries, payloads: payloads)
        let recorded = ContinuousClock.now - start
        for t in sink.tickets { try await t.acknowledged() }
        let hubTime = ContinuousClock.now - start
        precondition(outcome.published.count == messages)
        await hub.stop()
        let ratio = Double(hubTime.components.attoseconds / 1_000_000 + hubTime.components.seconds * 1_000_000_000_000)
            / Double(rawTime.components.attoseconds / 1_000_000 + rawTime.components.seconds * 1_000_000_000_000)
        say("RESULT hub fan-out (sign + deflate + SQLite + publish): \(Stopwatch.ms(hubTime)) (of which sign/deflate on all cores + SQLite record \(Stopwatch.ms(recorded))), \(String(format: "%.2f", ratio))× raw")

        // Where envelope time goes, on one core: deflate alone, then deflate + Ed25519.
        let sample = min(messages, 2_000)
        var t = ContinuousClock.now
        for i in 0..<sample { _ = try Envelope(spoke: "s\(i)", generation: 1, payload: payload).encode(signingWith: nil) }
        let deflateOnly = ContinuousClock.now - t
        t = ContinuousClock.now
        for i in 0..<sample { _ = try Envelope(spoke: "s\(i)", generation: 1, payload: payload).encode(signingWith: key) }
        let signed = ContinuousClock.now - t
        say("  one core, per envelope: deflate + header \(Stopwatch.ms(deflateOnly / sample)), with Ed25519 \(Stopwatch.ms(signed / sample))")

        let sub = try client("bench-sub")
        try await connected(sub)
        start = ContinuousClock.now
        try sub.subscribe("flotilla/v1/spokes/+/desired", qos: 1)
        var got = 0
        for await _ in sub.messages {
            got += 1
            if got == messages { break }
        }
        say("RESULT retained delivery of \(messages) bundles to one new subscriber: \(Stopwatch.ms(ContinuousClock.now - start))")
        await sub.stop()
    }
}

/// The hub's connection as a ``BundleSink`` that keeps a PUBACK ticket per message.
final class TicketSink: BundleSink {
    let client: MQTTClient
    private let pending = Mutex<[PendingPublish]>([])

    init(client: MQTTClient) { self.client = client }

    var tickets: [PendingPublish] { pending.withLock { $0 } }

    func sendRetained(topic: String, payload: [UInt8]) throws {
        let ticket = try client.enqueue(topic: topic, payload: payload, retain: true)
        pending.withLock { $0.append(ticket) }
    }
}
