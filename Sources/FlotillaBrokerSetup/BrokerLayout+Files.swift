import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writing files the broker reads: never half a file, never a window where others can read it,
/// and always with the owner and mode the broker's account needs.
extension BrokerLayout {
    /// Replaces `url` with `text` through a temporary file in the same directory and a rename, so
    /// a broker reloading at that moment reads the old file or the new one, never a mixture. The
    /// new file gets the old one's mode, owner and group (a directory root wrote for `mosquitto`
    /// keeps its `root:mosquitto 0640`); a file that did not exist gets `mode` and this process's
    /// owner.
    /// - Throws: when the file cannot be written, or the old owner cannot be kept (only root and
    ///   the owner can).
    func replaceFile(_ url: URL, with text: String, mode defaultMode: mode_t = 0o600) throws(BrokerSetupError) {
        try Self.replaceFile(url, with: text, mode: defaultMode)
    }

    static func replaceFile(_ url: URL, with text: String, mode defaultMode: mode_t = 0o600) throws(BrokerSetupError) {
        var old = stat()
        let existed = stat(url.path, &old) == 0
        let mode = existed ? old.st_mode & 0o7777 : defaultMode
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString.prefix(8))")
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: tmp.path, message: "cannot create: \(String(cString: strerror(errno)))") }
        var renamed = false
        defer {
            close(fd)
            if !renamed { unlink(tmp.path) }
        }
        try writeAll(fd, text, path: url.path)
        if existed && (old.st_uid != geteuid() || old.st_gid != getegid()) {
            guard fchown(fd, old.st_uid, old.st_gid) == 0 else {
                throw .io(
                    path: url.path,
                    message: "cannot keep its owner (uid \(old.st_uid), gid \(old.st_gid)): \(String(cString: strerror(errno))); run this as root or as its owner")
            }
        }
        guard fchmod(fd, mode) == 0 else { throw .io(path: url.path, message: "chmod: \(String(cString: strerror(errno)))") }
        guard fsync(fd) == 0 else { throw .io(path: url.path, message: "fsync: \(String(cString: strerror(errno)))") }
        guard rename(tmp.path, url.path) == 0 else {
            throw .io(path: url.path, message: "cannot replace: \(String(cString: strerror(errno)))")
        }
        renamed = true
    }

    static func writeAll(_ fd: Int32, _ text: String, path: String) throws(BrokerSetupError) {
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw .io(path: path, message: "cannot write: \(String(cString: strerror(errno)))") }
            written += n
        }
    }

    /// Gives `url` to `uid`:`gid` with `mode`.
    func setOwner(_ url: URL, uid: uid_t, gid: gid_t, mode: mode_t) throws(BrokerSetupError) {
        guard chown(url.path, uid, gid) == 0 else {
            throw .io(path: url.path, message: "cannot chown to \(uid):\(gid): \(String(cString: strerror(errno)))")
        }
        guard chmod(url.path, mode) == 0 else { throw .io(path: url.path, message: "chmod: \(String(cString: strerror(errno)))") }
    }

    /// The `user` line of the configuration: the account the broker runs as when root starts it.
    func configuredAccount() throws(BrokerSetupError) -> BrokerAccount {
        let text: String
        do {
            text = try String(contentsOf: configFile, encoding: .utf8)
        } catch {
            throw .io(path: configFile.path, message: "cannot read: \(error.localizedDescription)")
        }
        for line in text.split(separator: "\n") where line.hasPrefix("user ") {
            return try BrokerAccount.named(line.dropFirst("user ".count).trimmingCharacters(in: .whitespaces))
        }
        // mosquitto's default when the line is missing.
        return try BrokerAccount.named("mosquitto")
    }
}
