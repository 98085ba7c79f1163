/// Why an agent cannot start or run.
public enum AgentError: Error, Sendable, CustomStringConvertible {
    case badApplier(String)
    case badOption(String)

    public var description: String {
        switch self {
        case .badApplier(let m): return "bad --applier: \(m)"
        case .badOption(let m): return m
        }
    }
}
