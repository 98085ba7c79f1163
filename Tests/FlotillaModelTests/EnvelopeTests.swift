import FlotillaFixtures
import FlotillaModel
import FlotillaWire
import Foundation
import Testing

/// The envelope is the one thing an agent decodes from bytes anyone with broker access could
/// write: round trips, each refusal, and bounded fuzzing of the decoder and the JSON decoders.
@Suite struct EnvelopeTests {
    static func bundle(_ value: String = "v1") -> SpokeBundle {
        let object: [String: Value] = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": "web-config", "namespace": "default"],
            "data": ["value": .string(value)],
        ]
        return SpokeBundle(items: [
            .init(ref: ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "web-config"), object: object)
        ])
    }

    static let limit = 4 << 20

    @Test func unsignedRoundTrip() throws {
        let payload = Self.bundle().payload
        let bytes = try Envelope(spoke: "store-a", generation: 7, payload: payload).encode(signingWith: nil)
        let decoded = try Envelope.decode(bytes, trustedKeys: [], maxBytes: Self.limit)
        #expect(decoded.payload == payload)
        #expect(decoded.header.spoke == "store-a")
        #expect(decoded.header.generation == 7)
        #expect(decoded.header.keyId == "")
        #expect(decoded.header.size == payload.count)
        #expect(try SpokeBundle.decode(payload: decoded.payload) == Self.bundle())
    }

    @Test func signedRoundTrip() throws {
        let key = SigningKey()
        let payload = Self.bundle().payload
        let bytes = try Envelope(spoke: "store-a", generation: 3, payload: payload).encode(signingWith: key)
        let decoded = try Envelope.decode(bytes, trustedKeys: [key.verifyingKey], maxBytes: Self.limit)
        #expect(decoded.payload == payload)
        #expect(decoded.header.keyId == key.keyID)
        #expect(decoded.header.generation == 3)
    }

    @Test func eitherOfTwoTrustedKeysIsAccepted() throws {
        let old = SigningKey()
        let new = SigningKey()
        let trusted = [old.verifyingKey, new.verifyingKey]
        for key in [old, new] {
            let bytes = try Envelope(spoke: "s", generation: 1, payload: Self.bundle().payload).encode(signingWith: key)
            #expect(try Envelope.decode(bytes, trustedKeys: trusted, maxBytes: Self.limit).header.keyId == key.keyID)
        }
    }

    @Test func unsignedAndForeignSignaturesAreRefusedWhenAKeyIsTrusted() throws {
        let hub = SigningKey()
        let unsigned = try Envelope(spoke: "s", generation: 1, payload: Self.bundle().payload).encode(signingWith: nil)
        #expect(throws: EnvelopeError.untrustedKey("bundle is not signed")) {
            try Envelope.decode(unsigned, trustedKeys: [hub.verifyingKey], maxBytes: Self.limit)
        }
        let forger = SigningKey()
        let forged = try Envelope(spoke: "s", generation: 1, payload: Self.bundle().payload).encode(signingWith: forger)
        #expect(throws: EnvelopeError.untrustedKey("key \(forger.keyID) is not trusted")) {
            try Envelope.decode(forged, trustedKeys: [hub.verifyingKey], maxBytes: Self.limit)
        }
    }

    /// A forger who copies the trusted key id into the header still fails the signature check.
    @Test func forgedSignatureUnderTheTrustedKeyIdIsRefused() throws {
        let hub = SigningKey()
        let forger = SigningKey()
        var bytes = try Envelope(spoke: "s", generation: 9, payload: Self.bundle("evil").payload).encode(signingWith: forger)
        bytes = Self.replacing(Array(forger.keyID.utf8), with: Array(hub.keyID.utf8), in: bytes)
        #expect(throws: EnvelopeError.badSignature) {
            try Envelope.decode(bytes, trustedKeys: [hub.verifyingKey], maxBytes: Self.limit)
        }
    }

    /// Every single-byte change of a signed envelope is refused: none decodes to anything.
    @Test func everyFlippedByteOfASignedEnvelopeIsRefused() throws {
        let key = SigningKey()
        let bytes = try Envelope(spoke: "store-a", generation: 2, payload: Self.bundle().payload).encode(signingWith: key)
        var accepted: [Int] = []
        for i in bytes.indices {
            var tampered = bytes
            tampered[i] ^= 0x01
            if (try? Envelope.decode(tampered, trustedKeys: [key.verifyingKey], maxBytes: Self.limit)) != nil { accepted.append(i) }
        }
        #expect(accepted.isEmpty, "flips accepted at offsets \(accepted)")
    }

    @Test func unsignedPayloadHashIsChecked() throws {
        let payload = Self.bundle().payload
        var bytes = try Envelope(spoke: "s", generation: 1, payload: payload).encode(signingWith: nil)
        let hash = SpokeBundle.hash(ofPayload: payload)
        let other = String(repeating: "0", count: hash.count)
        bytes = Self.replacing(Array(hash.utf8), with: Array(other.utf8), in: bytes)
        #expect(throws: EnvelopeError.hashMismatch) { try Envelope.decode(bytes, trustedKeys: [], maxBytes: Self.limit) }
    }

    @Test func envelopeOverTheLimitIsRefused() throws {
        let bytes = try Envelope(spoke: "s", generation: 1, payload: Self.bundle().payload).encode(signingWith: nil)
        #expect(throws: EnvelopeError.tooLarge("\(bytes.count) bytes > limit \(bytes.count - 1)")) {
            try Envelope.decode(bytes, trustedKeys: [], maxBytes: bytes.count - 1)
        }
    }

    /// 8 MiB of zeros deflates to a few KiB: the envelope is under the limit, the declared size
    /// is not, and the decoder refuses on the header alone.
    @Test func declaredSizeOverTheLimitIsRefusedBeforeInflating() throws {
        let key = SigningKey()
        let bomb = [UInt8](repeating: 0, count: 8 << 20)
        let bytes = try Envelope(spoke: "s", generation: 1, payload: bomb).encode(signingWith: key)
        let limit = 64 << 10
        #expect(bytes.count < limit)
        #expect(throws: EnvelopeError.tooLarge("payload of \(bomb.count) bytes > limit \(limit)")) {
            try Envelope.decode(bytes, trustedKeys: [key.verifyingKey], maxBytes: limit)
        }
    }

    /// A header that understates the size does not make the decoder inflate the whole bomb.
    @Test func understatedSizeStopsInflationAtTheDeclaredSize() throws {
        let bomb = [UInt8](repeating: 0, count: 8 << 20)
        let bytes = try Envelope(spoke: "s", generation: 1, payload: bomb).encode(signingWith: nil)
        let lying = try Self.rewritingHeader(of: bytes) { $0["size"] = 1000 }
        #expect(throws: EnvelopeError.malformed("payload does not decompress to its declared 1000 bytes")) {
            try Envelope.decode(lying, trustedKeys: [], maxBytes: 64 << 10)
        }
    }

    @Test func truncationsAreRefused() throws {
        let key = SigningKey()
        let bytes = try Envelope(spoke: "s", generation: 1, payload: Self.bundle().payload).encode(signingWith: key)
        for n in 0..<bytes.count {
            #expect(throws: EnvelopeError.self) {
                try Envelope.decode(Array(bytes[..<n]), trustedKeys: [key.verifyingKey], maxBytes: Self.limit)
            }
        }
    }

    /// 20,000 random and mutated inputs, from a fixed seed: each decodes or throws an
    /// `EnvelopeError` (the typed throw guarantees the type), and a decoder that trusts a key
    /// never returns anything but a genuine envelope signed with it.
    @Test(.timeLimit(.minutes(2))) func fuzzEnvelopeDecoder() throws {
        var rng = SplitMix64(seed: 0x464C_5431)
        let key = SigningKey()
        let trusted = [key.verifyingKey]
        let seeds: [(bytes: [UInt8], signed: Bool)] = try [
            (Envelope(spoke: "store-a", generation: 1, payload: Self.bundle().payload).encode(signingWith: key), true),
            (Envelope(spoke: "store-b", generation: 42, payload: Self.bundle("x").payload).encode(signingWith: nil), false),
            (Envelope(spoke: "s", generation: 1, payload: []).encode(signingWith: key), true),
            (Envelope(spoke: "s", generation: 1, payload: [UInt8](repeating: 0x41, count: 5000)).encode(signingWith: key), true),
        ]
        // What a trusting decoder may ever return: one of the genuine signed envelopes.
        let genuine = Set(try seeds.filter(\.signed).map { try Envelope.decode($0.bytes, trustedKeys: trusted, maxBytes: 64 << 10) })
        var outcomes = (decoded: 0, refused: 0, forgedAccepted: 0)
        for i in 0..<20_000 {
            let input: [UInt8]
            var original: (bytes: [UInt8], signed: Bool)?
            // Mutations of an unsigned envelope go to a decoder in development mode (no keys).
            switch i % 4 {
            case 0:
                input = rng.bytes(count: Int(rng.next() % 300))
            case 1:
                input = Envelope.magic + rng.bytes(count: Int(rng.next() % 300))
            default:
                let seed = seeds[Int(rng.next() % UInt64(seeds.count))]
                original = seed
                input = rng.mutate(seed.bytes, splicing: seeds[Int(rng.next() % UInt64(seeds.count))].bytes)
            }
            let keys = (original?.signed ?? true) ? trusted : []
            do {
                let envelope = try Envelope.decode(input, trustedKeys: keys, maxBytes: 64 << 10)
                outcomes.decoded += 1
                if !keys.isEmpty && !genuine.contains(envelope) { outcomes.forgedAccepted += 1 }
            } catch {
                outcomes.refused += 1
            }
        }
        #expect(outcomes.forgedAccepted == 0)
        #expect(outcomes.refused > 10_000)
        #expect(outcomes.decoded + outcomes.refused == 20_000)
    }

    /// The JSON decoders behind the status, ack and presence topics and the bundle payload are
    /// total too: garbage and mutated valid documents give a value or nil/an error.
    @Test(.timeLimit(.minutes(2))) func fuzzJSONDecoders() throws {
        var rng = SplitMix64(seed: 0x5354_4154)
        let report = StatusReport(
            seq: 12, epoch: "e1", kind: .refused, generation: 4, hash: "ab", message: "refused bundle: bad signature",
            objects: [ObjectStatus(ref: ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "x"), state: .failed)],
            time: 1.5)
        #expect(StatusReport.decode(report.encoded()) == report)
        let ack = Ack(epoch: "e1", seq: 12)
        #expect(Ack.decode(ack.encoded()) == ack)
        let presence = Presence(state: .online, agentVersion: "1", applier: "dir", appliedGeneration: 3, time: 2)
        #expect(Presence.decode(presence.encoded()) == presence)
        let seeds = [report.encoded(), ack.encoded(), presence.encoded(), Self.bundle().payload, Array("{\"objects\":[]}".utf8)]
        var parsed = 0
        for i in 0..<20_000 {
            let input =
                i % 2 == 0
                ? rng.bytes(count: Int(rng.next() % 200))
                : rng.mutate(seeds[i % seeds.count], splicing: seeds[Int(rng.next() % UInt64(seeds.count))])
            if StatusReport.decode(input) != nil { parsed += 1 }
            if Ack.decode(input) != nil { parsed += 1 }
            if Presence.decode(input) != nil { parsed += 1 }
            if (try? SpokeBundle.decode(payload: input)) != nil { parsed += 1 }
        }
        // Some mutations keep a document valid; most do not. Both paths ran.
        #expect(parsed > 0)
        #expect(parsed < 40_000)
    }

    static func replacing(_ needle: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        precondition(needle.count == replacement.count)
        var out = bytes
        for i in 0...(out.count - needle.count) where Array(out[i..<i + needle.count]) == needle {
            out.replaceSubrange(i..<i + needle.count, with: replacement)
        }
        return out
    }

    /// Re-assembles an unsigned envelope with an edited header.
    static func rewritingHeader(of bytes: [UInt8], _ edit: (inout [String: Any]) -> Void) throws -> [UInt8] {
        func u32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        let hLen = u32(4)
        var header = try #require(JSONSerialization.jsonObject(with: Data(bytes[8..<8 + hLen])) as? [String: Any])
        edit(&header)
        let newHeader = Array(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        var out = Envelope.magic
        out += [UInt8(newHeader.count >> 24 & 0xFF), UInt8(newHeader.count >> 16 & 0xFF), UInt8(newHeader.count >> 8 & 0xFF), UInt8(newHeader.count & 0xFF)]
        out += newHeader
        out += bytes[(8 + hLen)...]
        return out
    }
}

extension SplitMix64 {
    /// One to four random edits: bit flips, byte overwrites, truncation, insertion, deletion,
    /// boundary values in the length fields, or a splice with another input.
    mutating func mutate(_ input: [UInt8], splicing other: [UInt8]) -> [UInt8] {
        var out = input
        for _ in 0...(next() % 4) {
            guard !out.isEmpty else { return bytes(count: Int(next() % 16)) }
            let at = Int(next() % UInt64(out.count))
            switch next() % 8 {
            case 0: out[at] ^= UInt8(1) << (next() % 8)
            case 1: out[at] = UInt8(truncatingIfNeeded: next())
            case 2: out.removeSubrange(at...)
            case 3: out.insert(contentsOf: bytes(count: Int(next() % 8) + 1), at: at)
            case 4: out.removeSubrange(at..<min(out.count, at + Int(next() % 16) + 1))
            case 5:
                // The header length at 4..<8, or any 4 bytes: 0, all ones, or off by one.
                let field = next() % 2 == 0 && out.count >= 8 ? 4 : at
                let values: [[UInt8]] = [[0, 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF], [0x7F, 0xFF, 0xFF, 0xFF], [0, 0, 0, 1]]
                let v = values[Int(next() % UInt64(values.count))]
                for (k, b) in v.enumerated() where field + k < out.count { out[field + k] = b }
            case 6:
                let cut = Int(next() % UInt64(other.count + 1))
                out = Array(out[..<at]) + Array(other[cut...])
            default:
                let n = Int(next() % 8) + 1
                out.insert(contentsOf: out[at..<min(out.count, at + n)], at: at)
            }
        }
        return out
    }
}

/// A batch deflates each shared payload once and still gives every spoke its own envelope.
struct EnvelopeBatchTests {
    @Test func aBatchGivesWhatEachEnvelopeAloneGives() throws {
        let shared = Array(#"{"objects":[{"object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}}]}"#.utf8)
        let other = Array(#"{"objects":[]}"#.utf8)
        let copyOfShared = Array(shared)  // same bytes, its own storage
        var jobs: [EnvelopeBatch.Job] = []
        for i in 0..<150 {
            let payload: [UInt8] = i % 3 == 0 ? other : (i % 5 == 0 ? copyOfShared : shared)
            jobs.append(EnvelopeBatch.Job(spoke: "s\(i)", generation: Int64(i + 1), payload: payload))
        }
        let unsigned = try EnvelopeBatch.build(jobs, signingWith: nil)
        for (job, bytes) in zip(jobs, unsigned) {
            #expect(bytes == (try Envelope(spoke: job.spoke, generation: job.generation, payload: job.payload).encode(signingWith: nil)))
        }
        let key = SigningKey()
        let signed = try EnvelopeBatch.build(jobs, signingWith: key)
        for (job, bytes) in zip(jobs, signed) {
            let e = try Envelope.decode(bytes, trustedKeys: [key.verifyingKey], maxBytes: 1 << 20)
            #expect(e.header.spoke == job.spoke)
            #expect(e.header.generation == job.generation)
            #expect(e.payload == job.payload)
        }
    }
}

/// The hub stores object statuses as trees built by hand: the same as through JSONEncoder.
struct ObjectStatusValueTests {
    @Test func theDirectTreeIsTheEncodedTree() throws {
        let ref = ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web")
        let list = [
            ObjectStatus(ref: ref, state: .applied),
            ObjectStatus(ref: ref, state: .failed, message: "image \"x\" not found\n"),
            ObjectStatus(ref: ObjectRef(apiVersion: "v1", kind: "Namespace", namespace: "", name: "shop"), state: .removed),
        ]
        #expect(Value.array(list.map(\.value)) == (try Value(encodable: list)))
    }
}

/// The hub reads reports in one pass when they are well formed; anything else goes to
/// JSONDecoder. Over a report and thousands of damaged copies, both paths agree.
struct StatusReportFastPathTests {
    static func slow(_ bytes: [UInt8]) -> StatusReport? {
        guard let r = try? JSONDecoder().decode(StatusReport.self, from: Data(bytes)), (try? r.validate()) != nil else { return nil }
        return r
    }

    @Test func theFastPathAgreesWithJSONDecoder() throws {
        let ref = ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web")
        let reports = [
            StatusReport(seq: 7, epoch: "e-1", kind: .applied, generation: 3, hash: String(repeating: "a", count: 64), time: 12.5),
            StatusReport(
                seq: 8, epoch: "e-1", kind: .failed, generation: 4, message: "bad \"image\"\n",
                objects: [ObjectStatus(ref: ref, state: .failed, message: "x"), ObjectStatus(ref: ref, state: .applied)], time: 13),
            StatusReport(seq: 9, epoch: "e-1", kind: .refused, generation: 2, message: "replay", time: 14, storedGeneration: 5),
        ]
        var rng = SplitMix64(seed: 5)
        var fastAccepted = 0
        for report in reports {
            let bytes = report.encoded()
            #expect(try StatusReport.parse(bytes) == report)
            for _ in 0..<1500 {
                var damaged = bytes
                for _ in 0..<(1 + Int(rng.next() % 2)) {
                    damaged[Int(rng.next() % UInt64(damaged.count))] = Array(#"0123456789"{}[],:.-enulltrue"#.utf8)[Int(rng.next() % 27)]
                }
                let fast = try? StatusReport.parse(damaged)
                #expect(fast == Self.slow(damaged), "\(String(decoding: damaged, as: UTF8.self))")
                if fast != nil { fastAccepted += 1 }
            }
        }
        #expect(fastAccepted > 0)
    }
}
