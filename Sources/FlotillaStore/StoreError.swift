/// Problems with a state file that are not SQLite's own (those arrive as GRDB's `DatabaseError`).
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The agent database belongs to another spoke: refusing avoids reporting under a wrong name.
    case wrongSpoke(path: String, stored: String, requested: String)
    /// A generation changed under the hub: another process writes the same hub state file.
    case concurrentWriter(spoke: String)

    public var description: String {
        switch self {
        case .wrongSpoke(let path, let stored, let requested):
            return "\(path) holds the state of spoke \"\(stored)\", not \"\(requested)\"; use another --state file"
        case .concurrentWriter(let spoke):
            return "generation of spoke \(spoke) changed under this hub: is another hub using the same --state file?"
        }
    }
}
