import Foundation

/// How simulated spokes log in. Each logs in as its own spoke name, as a real agent must (the
/// ACL written by `flotilla broker init` lets a user speak only for the spoke of its name).
public enum SpokeCredentials: Sendable, Hashable {
    /// No username or password (a broker that allows anonymous clients).
    case none
    /// One password for every spoke.
    case password(String)
    /// `DIRECTORY/NAME.password` for each spoke, as `flotilla broker init` writes them.
    case directory(String)

    /// The username and password of `spoke`.
    /// - Throws: ``SimulatorError/credentials(spoke:path:reason:)`` when its file cannot be read.
    func login(for spoke: String) throws(SimulatorError) -> (username: String?, password: String?) {
        switch self {
        case .none: return (nil, nil)
        case .password(let password): return (spoke, password)
        case .directory(let directory):
            let path = URL(fileURLWithPath: directory).appendingPathComponent("\(spoke).password").path
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                return (spoke, text.split(whereSeparator: \.isNewline).first.map(String.init) ?? "")
            } catch {
                throw .credentials(spoke: spoke, path: path, reason: error.localizedDescription)
            }
        }
    }
}
