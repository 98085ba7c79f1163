import FlotillaFixtures
import FlotillaModel
import FlotillaWire
import FlotillaStore
import Foundation
import Testing

/// A bounded, seeded fuzzer: thousands of mutated reports, presence messages, acks and
/// envelopes through the decoders and the hub's and agent's state machines. Nothing may trap,
/// every accepted value is within the protocol's bounds, and nothing grows beyond its limits.
struct WireFuzzTests {
    static let hostileValues: [String] = [
        "0", "-1", "1", "9007199254740991", "9007199254740992", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "1e308", "1.5", "null", "true", "\"\"", "\"e\"", "\"../../x\"", "\"\\u0000\"", "[]", "{}",
        "[1,2,3]", "{\"a\":{\"b\":[null]}}", "\"" + String(repeating: "z", count: 70) + "\"", "\"é🙂\"",
    ]
    static let reportFields = ["seq", "epoch", "kind", "generation", "hash", "message", "objects", "time", "storedGeneration"]
    static let presenceFields = ["state", "epoch", "ackedSequence", "appliedGeneration", "time", "agentVersion", "applier"]

    /// A JSON object with some fields valid, some hostile, some missing, sometimes cut short.
    static func mutated(base: [String: String], fields: [String], rate: Int = 4, _ rng: inout SplitMix64) -> [UInt8] {
        var object = base
        for field in fields where Int.random(in: 0..<rate, using: &rng) == 0 {
            if Bool.random(using: &rng) { object[field] = nil } else { object[field] = hostileValues.randomElement(using: &rng)! }
        }
        var bytes = Array(("{" + object.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}").utf8)
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
        case 1 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        default: break
        }
        return bytes
    }

    @Test func reportsPresenceAndAcksNeverTrapAndNeverGrowTheHub() async throws {
        var rng = SplitMix64(seed: 0xF107_111A)
        let store = try await HubStoreTests.store(spoke: "s")
        let retention = ReportRetention(perSpoke: 40)
        var accepted = 0
        let base = ["seq": "1", "epoch": "\"e\"", "kind": "\"event\"", "time": "0", "generation": "1"]
        for i in 0..<6000 {
            var fields = base
            fields["seq"] = String(i + 1)
            let bytes = Self.mutated(base: fields, fields: Self.reportFields, rate: 12, &rng)
            guard let report = try? StatusReport.parse(bytes) else { continue }
            #expect(report.seq >= 1 && report.seq <= WireLimits.maxCounter)
            #expect(WireLimits.isValidEpoch(report.epoch))
            // Known and unknown spokes alike; only the known one may ever hold rows.
            let spoke = i % 3 == 0 ? "intruder-\(i)" : "s"
            if spoke == "s" { accepted += 1 }
            _ = try await store.ingest(spoke: spoke, reports: [IncomingReport(report: report, digest: StatusReport.digest(of: bytes))], retention: retention)
            if let presence = try? Presence.parse(Self.mutated(base: ["state": "\"online\""], fields: Self.presenceFields, &rng)) {
                try await store.recordPresence(spoke: spoke, presence: presence)
                if let epoch = presence.epoch, let acked = presence.ackedSequence {
                    _ = try await store.raiseWatermark(spoke: spoke, epoch: epoch, acked: acked)
                }
            }
        }
        #expect(accepted > 500, "the fuzzer must reach the state machine, not only the parser")
        #expect(try await store.spokes().map(\.name) == ["s"])
        // Gaps keep reports above the watermark; a hard cap bounds them all the same.
        let kept = try await store.reportCount(spoke: "s")
        #expect(kept <= 40 + ReportRetention.aheadOfWatermark, "bounded by retention: \(kept) kept of \(accepted)")
        #expect(accepted > 40 + ReportRetention.aheadOfWatermark, "the run must be long enough to reach the cap")
    }

    @Test func acksFromAnywhereNeverLoseAPendingReport() async throws {
        var rng = SplitMix64(seed: 0xAC4)
        let store = try AgentStore(path: AgentStoreTests.tempPath(), spoke: "s1")
        var written = 0
        var deletedByAcks = 0
        for _ in 0..<600 {
            if Int.random(in: 0..<3, using: &rng) == 0 {
                try await store.report(.event, message: "m\(written)")
                written += 1
            }
            let epoch = Bool.random(using: &rng) ? store.epoch : ["", "other", String(repeating: "e", count: 80)].randomElement(using: &rng)!
            let last = try await store.inspect().lastSequence
            let seq = [Int64.min, -1, 0, 1, last - 1, last, last + 1, Int64.max].randomElement(using: &rng)!
            let hash: String? = [nil, "", String(repeating: "0", count: 64)].randomElement(using: &rng)!
            let before = try await store.inspect().outboxPending
            let outcome = try await store.acknowledge(Ack(epoch: epoch, seq: seq, hash: hash, newEpoch: Bool.random(using: &rng) ? true : nil))
            var deleted = 0
            if case .deleted(let n) = outcome { deleted = n }
            deletedByAcks += deleted
            let after = try await store.pending(limit: 10_000)
            #expect(after.count == before - deleted)
            // Whatever happened, what is pending is numbered 1… within the current epoch, in order.
            let reports = after.compactMap { StatusReport.decode($0.body) }
            #expect(reports.count == after.count)
            #expect(reports.allSatisfy { $0.epoch == store.epoch })
            #expect(reports.map(\.seq) == reports.map(\.seq).sorted())
        }
        // Every report written is either pending or was deleted by an ack that covered it.
        #expect(try await store.inspect().outboxPending + deletedByAcks == written)
    }

    @Test func offeredBundlesNeverMoveTheStoredGenerationBackwards() async throws {
        var rng = SplitMix64(seed: 0x0FFE7)
        let store = try AgentStore(path: AgentStoreTests.tempPath(), spoke: "s1")
        var highest: Int64 = 0
        for _ in 0..<800 {
            let generation = [1, 2, 3, highest - 1, highest, min(highest, Int64.max - 1) + 1, WireLimits.maxCounter, Int64.max].randomElement(using: &rng)!
            let content = ["a", "b", "c"].randomElement(using: &rng)!
            let header = Envelope(spoke: "s1", generation: generation, payload: Array(content.utf8)).header
            let outcome = try await store.offer(envelope: [UInt8(generation & 0xFF)], header: header)
            let stored = try await store.inspect().storedGeneration ?? 0
            #expect(stored >= highest, "stored generation went from \(highest) to \(stored) on \(outcome)")
            if case .stale = outcome { #expect(generation <= highest) }
            highest = max(highest, stored)
            if Int.random(in: 0..<4, using: &rng) == 0 {
                try await store.recordApply(generation: stored, hash: header.hash, ok: Bool.random(using: &rng), message: nil, objects: [])
            }
        }
        // Every accepted bundle and apply left exactly one report behind it, numbered without gaps.
        let pending = try await store.pending(limit: 100_000).map(\.seq)
        #expect(pending == Array(1...Int64(pending.count)))
    }

    @Test func envelopesAndBundlesNeverTrap() throws {
        var rng = SplitMix64(seed: 0xE117)
        let key = SigningKey()
        let payload = SpokeBundle(items: [
            .init(ref: ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "ns", name: "a"), object: ["kind": .string("ConfigMap")])
        ]).payload
        let good = try Envelope(spoke: "s1", generation: 3, payload: payload).encode(signingWith: key)
        var decoded = 0
        for _ in 0..<3000 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
                case 1 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
                case 2: bytes += (0..<Int.random(in: 1...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                default:
                    // Length fields set to extremes.
                    if bytes.count > 8 { for j in 4..<8 { bytes[j] = 0xFF } }
                }
            }
            if let e = try? Envelope.decode(bytes, trustedKeys: [key.verifyingKey], maxBytes: 1 << 20) {
                decoded += 1
                _ = try? SpokeBundle.decode(payload: e.payload)
            }
            // The payload decoder alone, on mutated JSON.
            var p = payload
            if !p.isEmpty { p[Int.random(in: 0..<p.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            _ = try? SpokeBundle.decode(payload: p)
        }
        // A signed envelope survives only mutations the signature does not cover: almost none.
        #expect(decoded < 3000)
    }
}
