import FlotillaMQTT

/// Why a ``FleetSimulator`` cannot run, or a wait on it failed.
public enum SimulatorError: Error, Sendable, CustomStringConvertible {
    /// The process may not open enough files for every spoke's connection.
    case tooFewDescriptors(spokes: Int, needed: UInt64, limit: FileDescriptorLimit)
    case noSpokes
    case invalidName(String)
    case duplicateName(String)
    case credentials(spoke: String, path: String, reason: String)
    /// A spoke's connection could not be created (libmosquitto refused an option).
    case connection(spoke: String, MQTTError)
    case timedOut(what: String, last: FleetSnapshot)
    /// The connections share one epoll thread (``EpollDriver``), which exists on Linux only.
    case unsupportedPlatform

    public var description: String {
        switch self {
        case .tooFewDescriptors(let spokes, let needed, let limit):
            return
                "\(spokes) spokes need about \(needed) open files (3 per connection: its socket and libmosquitto's socket pair), but the limit is \(limit.soft) (hard limit \(limit.hard)); raise it (ulimit -n, LimitNOFILE=) or simulate fewer spokes per process"
        case .noSpokes: return "no spokes to simulate"
        case .invalidName(let name): return "spoke name \"\(name)\" is not a DNS-1123 label"
        case .duplicateName(let name): return "spoke name \"\(name)\" appears twice"
        case .credentials(let spoke, let path, let reason): return "cannot read the password of \(spoke) at \(path): \(reason)"
        case .connection(let spoke, let error): return "cannot create the connection of \(spoke): \(error)"
        case .timedOut(let what, let last): return "timed out waiting for \(what); last: \(last.summary)"
        case .unsupportedPlatform: return "the simulator needs Linux: its connections share one epoll thread"
        }
    }
}
