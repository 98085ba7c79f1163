import FlotillaModel
/// Why an envelope or bundle was refused. Each case becomes a status report on the agent.
public enum EnvelopeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Bytes that are not an envelope (bad magic, truncated, bad header).
    case malformed(String)
    /// The envelope or its decompressed payload exceeds the configured limit.
    case tooLarge(String)
    /// Signed by a key the agent does not trust, or not signed when a signature is required.
    case untrustedKey(String)
    /// The signature does not verify: forged or tampered.
    case badSignature
    /// The payload's hash differs from the header's.
    case hashMismatch
    /// Addressed to another spoke.
    case wrongSpoke(expected: String, found: String)
    /// An object's name or namespace is one Kubernetes refuses for its kind (see ``KubernetesName``).
    case invalidName(String)

    public var description: String {
        switch self {
        case .malformed(let m): return "malformed envelope: \(m)"
        case .tooLarge(let m): return "envelope too large: \(m)"
        case .untrustedKey(let m): return "untrusted signer: \(m)"
        case .badSignature: return "bad signature: the bundle was forged or tampered with"
        case .hashMismatch: return "payload hash does not match the header"
        case .wrongSpoke(let e, let f): return "bundle is for spoke \"\(f)\", not \"\(e)\""
        case .invalidName(let m): return "invalid object name: \(m)"
        }
    }
}
