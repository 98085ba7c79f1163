/// Problems with a state file that are not SQLite's own (those arrive as GRDB's `DatabaseError`).
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The agent database belongs to another spoke: refusing avoids reporting under a wrong name.
    case wrongSpoke(path: String, stored: String, requested: String)

    public var description: String {
        switch self {
        case .wrongSpoke(let path, let stored, let requested):
            return "\(path) holds the state of spoke \"\(stored)\", not \"\(requested)\"; use another --state file"
        }
    }
}
