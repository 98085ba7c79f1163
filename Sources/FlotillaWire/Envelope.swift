import FlotillaModel
import CompressNIO
import Crypto
import Foundation
import NIOCore

/// The wire form of a bundle on `…/spokes/{spoke}/desired`:
///
/// ```
/// "FLT1" | u32 header length | header (canonical JSON) | u32 payload length | payload (deflate)
///        | u16 signature length | signature (Ed25519 over every byte before it; length 0 = unsigned)
/// ```
///
/// The header names the spoke, the generation, the content hash, the signing key and the
/// payload's uncompressed size, so an agent can refuse a bundle before it decompresses it.
public struct Envelope: Sendable, Hashable {
    public struct Header: Sendable, Hashable, Codable {
        public var spoke: String
        public var generation: Int64
        /// Hex SHA-256 of the uncompressed payload.
        public var hash: String
        /// Uncompressed payload size in bytes.
        public var size: Int
        public var compression: String
        /// ``SigningKey/keyID`` of the signer, empty when unsigned.
        public var keyId: String

        /// Canonical JSON of the header, built directly (it is written once per bundle).
        var canonicalJSON: [UInt8] {
            Value.object([
                "spoke": .string(spoke), "generation": .int(generation), "hash": .string(hash), "size": .int(Int64(size)),
                "compression": .string(compression), "keyId": .string(keyId),
            ]).canonicalJSON
        }
    }

    public static let magic: [UInt8] = Array("FLT1".utf8)
    static let maxHeader = 16 * 1024

    public var header: Header
    /// The uncompressed canonical bundle payload.
    public var payload: [UInt8]

    public init(spoke: String, generation: Int64, payload: [UInt8]) {
        self.header = Header(
            spoke: spoke, generation: generation, hash: SpokeBundle.hash(ofPayload: payload), size: payload.count,
            compression: "deflate", keyId: "")
        self.payload = payload
    }

    /// Encodes, compresses and (when `key` is given) signs.
    /// - Parameter deflater: reusable compression state; pass one per thread when encoding many.
    public func encode(signingWith key: SigningKey?, deflater: PayloadDeflater? = nil) throws -> [UInt8] {
        let prepared = try PreparedPayload(payload, hash: header.hash, deflater: deflater ?? PayloadDeflater())
        return try Self.encode(spoke: header.spoke, generation: header.generation, prepared: prepared, signingWith: key)
    }

    /// A payload hashed and deflated once, for every spoke whose bundle is the same bytes
    /// (spokes selected by the same policies share one payload).
    public struct PreparedPayload: Sendable {
        public var hash: String
        public var size: Int
        public var compressed: [UInt8]

        public init(_ payload: [UInt8], hash: String? = nil, deflater: PayloadDeflater) throws {
            self.hash = hash ?? SpokeBundle.hash(ofPayload: payload)
            size = payload.count
            compressed = Array(try deflater.deflate(payload).readableBytesView)
        }
    }

    /// The envelope of `prepared` for one spoke and generation: byte for byte what
    /// ``encode(signingWith:deflater:)`` gives for the same payload.
    public static func encode(spoke: String, generation: Int64, prepared: PreparedPayload, signingWith key: SigningKey?) throws -> [UInt8] {
        let h = Header(
            spoke: spoke, generation: generation, hash: prepared.hash, size: prepared.size, compression: "deflate",
            keyId: key?.keyID ?? "")
        let headerJSON = h.canonicalJSON
        var out = Self.magic
        out.reserveCapacity(headerJSON.count + prepared.compressed.count + 128)
        out.appendBE(UInt32(headerJSON.count))
        out.append(contentsOf: headerJSON)
        out.appendBE(UInt32(prepared.compressed.count))
        out.append(contentsOf: prepared.compressed)
        if let key {
            let sig = try key.sign(out)
            out.appendBE(UInt16(sig.count))
            out.append(contentsOf: sig)
        } else {
            out.appendBE(UInt16(0))
        }
        return out
    }

    /// Decodes and verifies an envelope. Total: any byte string gives an envelope or an error.
    ///
    /// - Parameters:
    ///   - trustedKeys: public keys accepted as signers; when empty, unsigned envelopes are accepted
    ///     (development only) and signed ones are still checked against nothing but their hash.
    ///   - maxBytes: limit on the envelope and on the uncompressed payload.
    public static func decode(_ bytes: [UInt8], trustedKeys: [VerifyingKey], maxBytes: Int) throws(EnvelopeError) -> Envelope {
        guard bytes.count <= maxBytes else { throw .tooLarge("\(bytes.count) bytes > limit \(maxBytes)") }
        var r = ByteReader(bytes)
        guard r.take(4) == magic else { throw .malformed("bad magic") }
        guard let hLen = r.u32(), hLen <= maxHeader, let headerBytes = r.take(Int(hLen)) else {
            throw .malformed("bad header length")
        }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(headerBytes))
        } catch {
            throw .malformed("header is not valid JSON")
        }
        guard header.compression == "deflate" else { throw .malformed("unknown compression \(header.compression)") }
        guard header.size >= 0, header.size <= maxBytes else {
            throw .tooLarge("payload of \(header.size) bytes > limit \(maxBytes)")
        }
        guard let pLen = r.u32(), let compressed = r.take(Int(pLen)) else { throw .malformed("truncated payload") }
        let signedLength = r.offset
        guard let sLen = r.u16(), let sig = r.take(Int(sLen)), r.atEnd else { throw .malformed("bad signature block") }
        if trustedKeys.isEmpty {
            // Development mode: nothing to verify against.
        } else {
            guard !sig.isEmpty else { throw .untrustedKey("bundle is not signed") }
            guard let key = trustedKeys.first(where: { $0.keyID == header.keyId }) else {
                throw .untrustedKey("key \(header.keyId.isEmpty ? "(none)" : header.keyId) is not trusted")
            }
            guard key.verify(signature: sig, of: bytes[0..<signedLength]) else { throw .badSignature }
        }
        var input = ByteBuffer(bytes: compressed)
        let out: ByteBuffer
        do {
            // One byte over the declared size proves a lie without inflating a bomb.
            out = try input.decompress(with: .deflate(), maxSize: header.size + 1)
        } catch {
            throw .malformed("payload does not decompress to its declared \(header.size) bytes")
        }
        let payload = Array(out.readableBytesView)
        guard payload.count == header.size else { throw .malformed("payload size differs from header") }
        guard SpokeBundle.hash(ofPayload: payload) == header.hash else { throw .hashMismatch }
        return Envelope(header: header, payload: payload)
    }

    init(header: Header, payload: [UInt8]) {
        self.header = header
        self.payload = payload
    }
}

struct ByteReader {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var atEnd: Bool { offset == bytes.count }
    mutating func take(_ n: Int) -> [UInt8]? {
        guard n >= 0, bytes.count - offset >= n else { return nil }
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }
    mutating func u32() -> UInt32? { take(4).map { $0.reduce(0) { $0 << 8 | UInt32($1) } } }
    mutating func u16() -> UInt16? { take(2).map { $0.reduce(0) { $0 << 8 | UInt16($1) } } }
}

extension Array where Element == UInt8 {
    mutating func appendBE(_ v: UInt32) {
        append(contentsOf: [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)])
    }
    mutating func appendBE(_ v: UInt16) { append(contentsOf: [UInt8(v >> 8), UInt8(v & 0xFF)]) }
}

/// Deflate state that can be reused: a fresh zlib stream costs more than compressing a small
/// bundle (its buffers come from mmap), so batch encoders keep one per thread.
/// Not thread-safe: one owner at a time.
public final class PayloadDeflater {
    private let zlib: ZlibCompressor

    public init() throws { zlib = try ZlibCompressor(algorithm: .deflate) }

    func deflate(_ bytes: [UInt8]) throws -> ByteBuffer {
        try zlib.reset()
        var input = ByteBuffer(bytes: bytes)
        var output = ByteBufferAllocator().buffer(capacity: zlib.maxSize(from: input))
        try zlib.deflate(from: &input, to: &output, flush: .finish)
        return output
    }
}
