import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The applier's file operations, on raw system calls: each decides for itself whether to
/// follow a link (never), and each failure keeps its `errno`.
extension DirApplier {
    static let temporaryPrefix = ".flotilla--"
    static let temporarySuffix = ".tmp"

    /// Runs one system call and turns a negative result into ``DirApplierError/system(call:path:code:)``,
    /// reading `errno` before anything else can overwrite it.
    @discardableResult
    static func checked<T: BinaryInteger>(_ call: String, _ path: String, _ body: () -> T) throws(DirApplierError) -> T {
        let result = body()
        let code = errno
        guard result >= 0 else { throw .system(call: call, path: path, code: code) }
        return result
    }

    /// The contents of `path` if it is a regular file; `nil` for anything else (missing, a link,
    /// a directory, a FIFO: opened without blocking and never read).
    static func readRegularFile(_ path: String) -> Data? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return (try? handle.readToEnd()) ?? Data()
    }

    /// Writes `data` to a new temporary file in `directory`, syncs it and renames it onto `path`
    /// (replacing a link there, never writing through it). On any failure the temporary file is
    /// removed before the error is thrown.
    static func writeAtomically(_ data: Data, to path: String, in directory: String) throws(DirApplierError) {
        let tmp = (directory as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).\(getpid())\(temporarySuffix)")
        // A leftover with this very name (an earlier process with the same pid) must not make O_EXCL fail.
        _ = unlink(tmp)
        let fd = try checked("create", tmp) { open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644) }
        var isOpen = true
        do throws(DirApplierError) {
            let failed: Int32? = data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    let code = errno
                    if n < 0 && code == EINTR { continue }
                    if n < 0 { return code }
                    offset += n
                }
                return nil
            }
            if let failed { throw DirApplierError.system(call: "write", path: tmp, code: failed) }
            try checked("fsync", tmp) { fsync(fd) }
            isOpen = false
            try checked("close", tmp) { close(fd) }
            try checked("rename temporary file onto", path) { rename(tmp, path) }
        } catch {
            if isOpen { close(fd) }
            unlink(tmp)
            throw error
        }
    }

    /// Removes `path` if it is a regular file; a link is neither followed nor removed.
    static func removeRegularFile(_ path: String) throws(DirApplierError) {
        var info = stat()
        try checked("lstat", path) { lstat(path, &info) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile((path as NSString).lastPathComponent) }
        try checked("unlink", path) { unlink(path) }
    }

    /// Removes the temporary files an earlier apply left when its process died between create
    /// and rename; only entries directly in `directory` named like ``writeAtomically(_:to:in:)``'s.
    static func removeStaleTemporaryFiles(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(temporaryPrefix) && name.hasSuffix(temporarySuffix) && !name.contains("/") {
            let path = (directory as NSString).appendingPathComponent(name)
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let type = info.st_mode & S_IFMT
            // unlink removes a link itself, never its target; anything else (a directory) stays.
            guard type == S_IFREG || type == S_IFLNK else { continue }
            // A failure here only means the file waits for the next apply.
            _ = unlink(path)
        }
    }
}
