import FlotillaMQTT
import FlotillaModel
import FlotillaStore
import Foundation

/// The hub's fan-out against the raw limit, in the same run and the same broker: N retained
/// QoS 1 messages of S bytes, all PUBACKed.
///
/// - raw: a bare libmosquitto publisher (our wrapper's `enqueue`, nothing else);
/// - hub: what the hub does per changed spoke: sign and deflate an envelope, record the
///   generation and envelope in SQLite (one transaction for the batch), publish, await PUBACKs.
public enum FanoutBenchmark {
    public static func run(messages: Int, size: Int, print say: (String) -> Void) async throws {
        let broker = try BenchBroker(inflight: 500)
        defer { broker.stop() }
        let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }
        func client(_ id: String) throws -> MQTTClient {
            let c = try MQTTClient(configuration: MQTTConfiguration(host: "127.0.0.1", port: broker.port, clientID: id, cleanStart: true, sessionExpiry: 0))
            c.start()
            return c
        }
        func connected(_ c: MQTTClient) async throws {
            let deadline = Date().addingTimeInterval(10)
            while !c.isConnected {
                guard Date() < deadline else { throw BenchError("no connection to the bench broker") }
                try await Task.sleep(for: .milliseconds(10))
            }
        }

        let raw = try client("bench-raw")
        try await connected(raw)
        var start = ContinuousClock.now
        var tickets: [PendingPublish] = []
        tickets.reserveCapacity(messages)
        for i in 0..<messages { tickets.append(try raw.enqueue(topic: "bench/raw/\(i)/desired", payload: payload, retain: true)) }
        for t in tickets { try await t.acknowledged() }
        let rawTime = ContinuousClock.now - start
        await raw.stop()
        say("RESULT raw publisher: \(messages) × \(size) B retained QoS 1: \(Stopwatch.ms(rawTime))")

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-bench-hub-\(UUID().uuidString.prefix(8)).sqlite")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try HubStore(path: dir.path)
        let key = SigningKey()
        let hub = try client("bench-hub")
        try await connected(hub)
        // Per-spoke payloads differ, as real bundles do, so nothing is shared between envelopes.
        let entries = (0..<messages).map { i in
            HubStore.PlanEntry(spoke: "spoke-\(i)", hash: "h\(i)", objects: [])
        }
        start = ContinuousClock.now
        // The hub's own path (Hub.reload): read generations, build envelopes on every core,
        // record them in one transaction, then publish.
        let jobs = try await store.changed(entries).map { e, generation in
            var p = payload
            for (j, b) in Array(e.spoke.utf8).enumerated() where j < p.count { p[j] = b }
            return EnvelopeBatch.Job(spoke: e.spoke, generation: generation, payload: p)
        }
        let t0 = ContinuousClock.now
        let envelopes = try EnvelopeBatch.build(jobs, signingWith: key)
        let built = ContinuousClock.now - t0
        let pubs = zip(jobs, envelopes).map { HubStore.Publication(spoke: $0.spoke, generation: $0.generation, envelope: $1) }
        let t1 = ContinuousClock.now
        try await store.commit(pubs, entries: entries)
        say("  envelopes built on all cores: \(Stopwatch.ms(built)); SQLite commit: \(Stopwatch.ms(ContinuousClock.now - t1))")
        let recorded = ContinuousClock.now - start
        tickets.removeAll()
        for p in pubs { tickets.append(try hub.enqueue(topic: "flotilla/v1/spokes/\(p.spoke)/desired", payload: p.envelope, retain: true)) }
        for t in tickets { try await t.acknowledged() }
        let hubTime = ContinuousClock.now - start
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
