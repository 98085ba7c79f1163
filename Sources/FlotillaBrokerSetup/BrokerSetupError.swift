import Foundation

/// Why a broker directory could not be written or changed. Each case names the file, user or
/// command involved and what to do about it.
public enum BrokerSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// One or more spoke names are unusable; every problem is listed.
    case invalidSpokeNames([String])
    /// `init` would overwrite an existing broker directory.
    case alreadyInitialized(directory: String)
    /// `add-spoke`/`remove-spoke` on a directory `init` did not write.
    case notInitialized(directory: String)
    case spokeExists(name: String, directory: String)
    case noSuchSpoke(name: String, directory: String)
    case invalidPort(Int)
    /// The TLS listener's port or files are unusable.
    case invalidTLS(String)
    /// The account the broker should run as does not exist, or cannot be given the files.
    case invalidUser(String)
    /// A certificate could not be revoked (wrong certificate, CA or CRL, or `openssl` failed).
    case revocation(String)
    /// `mosquitto_passwd` is not installed or not executable.
    case passwordToolMissing(searched: [String])
    /// `mosquitto_passwd` ran and failed.
    case passwordToolFailed(command: String, status: Int32, output: String)
    /// A file operation failed.
    case io(path: String, message: String)

    public var description: String {
        switch self {
        case .invalidSpokeNames(let problems):
            return "invalid spoke names:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
        case .alreadyInitialized(let dir):
            return "\(dir) already holds a broker configuration (mosquitto.conf); use `flotilla broker add-spoke`/`remove-spoke` to change it, or choose an empty directory"
        case .notInitialized(let dir):
            return "\(dir) is not a broker directory written by `flotilla broker init` (no mosquitto.conf, passwd or credentials/)"
        case .spokeExists(let name, let dir):
            return "spoke \"\(name)\" already has credentials in \(dir); remove it first to issue a new password"
        case .noSuchSpoke(let name, let dir):
            return "spoke \"\(name)\" has no credentials in \(dir)"
        case .invalidPort(let port):
            return "port \(port) is not between 1 and 65535"
        case .invalidTLS(let message), .invalidUser(let message), .revocation(let message):
            return message
        case .passwordToolMissing(let searched):
            return "mosquitto_passwd not found (looked in \(searched.joined(separator: ", "))); install it with `apt-get install mosquitto`"
        case .passwordToolFailed(let command, let status, let output):
            return "\(command) failed with status \(status): \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
        case .io(let path, let message):
            return "\(path): \(message)"
        }
    }
}
