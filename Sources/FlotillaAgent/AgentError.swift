/// Why an agent cannot start or run.
public enum AgentError: Error, Sendable, CustomStringConvertible {
    case badApplier(String)
    case badOption(String)
    /// The client certificate names another spoke than `--name`.
    case certificateNameMismatch(certificate: String, commonName: String?, name: String)

    public var description: String {
        switch self {
        case .badApplier(let m): return "bad --applier: \(m)"
        case .badOption(let m): return m
        case .certificateNameMismatch(let file, let cn, let name):
            return "the certificate \(file) is for \"\(cn ?? "(no CN)")\", not for spoke \"\(name)\": the broker would let this agent speak for that identity"
        }
    }
}
