import FlotillaModel
import Crypto
import Foundation

/// The hub's Ed25519 private key. Files hold the raw 32-byte key in base64.
public struct SigningKey: Sendable {
    let key: Curve25519.Signing.PrivateKey

    public init() { key = Curve25519.Signing.PrivateKey() }

    /// - Throws: ``KeyError`` when the text is not a base64 Ed25519 private key.
    public init(base64 text: String) throws(KeyError) {
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let k = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        else { throw KeyError.invalid("not a base64 Ed25519 private key") }
        key = k
    }

    public var base64: String { key.rawRepresentation.base64EncodedString() }
    public var verifyingKey: VerifyingKey { VerifyingKey(key: key.publicKey) }
    public var keyID: String { verifyingKey.keyID }

    func sign(_ bytes: [UInt8]) throws -> [UInt8] { Array(try key.signature(for: bytes)) }
}

/// A public key an agent trusts to sign bundles.
public struct VerifyingKey: Sendable, Hashable {
    let key: Curve25519.Signing.PublicKey

    init(key: Curve25519.Signing.PublicKey) { self.key = key }

    /// - Throws: ``KeyError`` when the text is not a base64 Ed25519 public key.
    public init(base64 text: String) throws(KeyError) {
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            let k = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else { throw KeyError.invalid("not a base64 Ed25519 public key") }
        key = k
    }

    public var base64: String { key.rawRepresentation.base64EncodedString() }

    /// First 8 bytes of the SHA-256 of the raw key, in hex: names the key in envelopes.
    public var keyID: String {
        Hex.encode(SHA256.hash(data: key.rawRepresentation).prefix(8))
    }

    func verify(signature: [UInt8], of bytes: ArraySlice<UInt8>) -> Bool {
        key.isValidSignature(signature, for: Array(bytes))
    }

    public static func == (a: VerifyingKey, b: VerifyingKey) -> Bool { a.key.rawRepresentation == b.key.rawRepresentation }
    public func hash(into h: inout Hasher) { h.combine(key.rawRepresentation) }
}

public enum KeyError: Error, Sendable, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self { case .invalid(let m): return "invalid key: \(m)" }
    }
}
