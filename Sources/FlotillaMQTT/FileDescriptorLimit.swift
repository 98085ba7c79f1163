import Foundation

/// The process's limit on open files (`RLIMIT_NOFILE`). Each libmosquitto connection holds three
/// descriptors (its socket and an internal socket pair), so a thousand connections need more than
/// the usual soft limit of 1024.
public struct FileDescriptorLimit: Sendable, Hashable {
    /// The limit in force.
    public var soft: UInt64
    /// How far an unprivileged process may raise it.
    public var hard: UInt64
    /// The soft limit found before raising it.
    public var previous: UInt64

    /// Raises the soft limit to the hard limit and returns what the process got. A refusal
    /// leaves the limit as it was (`soft == previous`).
    static func raiseSoftToHard() -> FileDescriptorLimit {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else {
            return FileDescriptorLimit(soft: 1024, hard: 1024, previous: 1024)
        }
        let previous = UInt64(limit.rlim_cur)
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return FileDescriptorLimit(soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max), previous: previous)
    }

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
