import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The account mosquitto runs as (the configuration's `user`), and what it may read.
///
/// mosquitto 2.0.11 started by root switches to this account right after parsing its
/// configuration, *before* it writes its pid file, opens its log, loads the TLS certificate and
/// key, and reads the password file and the ACL; a reload (SIGHUP) reads the configuration, the
/// password file, the ACL, the certificates and the CRL again as this account. So every one of
/// those files must be readable by it, and the pid file, the log and the persistence directory
/// writable.
public struct BrokerAccount: Sendable, Hashable {
    public let name: String
    public let uid: uid_t
    public let gid: gid_t
    /// Its primary and supplementary groups, for judging what it can read.
    let groups: [gid_t]

    /// Looks the account up in the system's user database.
    /// - Throws: ``BrokerSetupError/invalidUser(_:)`` when there is no such user.
    public static func named(_ name: String) throws(BrokerSetupError) -> BrokerAccount {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        guard getpwnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil else {
            throw .invalidUser("there is no user \"\(name)\" on this system (mosquitto's package creates \"mosquitto\")")
        }
        let (uid, gid) = (entry.pw_uid, entry.pw_gid)
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: Int(count))
        while getgrouplist(name, gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count) + 16)
            count = Int32(groups.count)
        }
        return BrokerAccount(name: name, uid: uid, gid: gid, groups: Array(groups.prefix(Int(count))))
    }

    /// The account this process runs as (its effective user).
    public static func current() -> BrokerAccount {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16_384)
        if getpwuid_r(geteuid(), &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name,
            let account = try? named(String(cString: name))
        {
            return account
        }
        return BrokerAccount(name: ProcessInfo.processInfo.userName, uid: geteuid(), gid: getegid(), groups: [getegid()])
    }

    /// Whether files written by this process must be handed to the broker's account: root writes
    /// a directory for `mosquitto`.
    public var isSeparate: Bool { uid != geteuid() }

    /// Whether this account can read `path`: every directory on the way searchable, the file
    /// readable, by owner, group or other bits (POSIX ACLs are not consulted). Root reads anything.
    public func canRead(_ path: String) -> Bool {
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        guard FileManager.default.fileExists(atPath: resolved.path) else { return false }
        if uid == 0 { return true }
        let components = resolved.pathComponents
        var current = ""
        for (index, component) in components.enumerated() {
            current = index == 0 ? component : (current == "/" ? "/\(component)" : "\(current)/\(component)")
            var info = stat()
            guard stat(current, &info) == 0 else { return false }
            if !permits(info, index == components.count - 1 ? 0o4 : 0o1) { return false }
        }
        return true
    }

    func permits(_ info: stat, _ bits: mode_t) -> Bool {
        if info.st_uid == uid { return info.st_mode & (bits << 6) != 0 }
        if groups.contains(info.st_gid) { return info.st_mode & (bits << 3) != 0 }
        return info.st_mode & bits != 0
    }
}
