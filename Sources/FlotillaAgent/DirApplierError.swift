import FlotillaModel
#if canImport(Glibc)
import Glibc
#endif

/// Why the `dir:` applier did not write or remove one file.
public enum DirApplierError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The object's file name would not be one plain entry of the directory.
    case unsafeFileName(String, reason: String)
    /// A path that does not resolve to an entry directly inside the directory.
    case outsideDirectory(String, directory: String)
    /// An entry named like the applier's own files that it did not write (a link, a directory).
    case notRegularFile(String)
    /// A system call failed; `code` is the `errno` it left.
    case system(call: String, path: String, code: Int32)

    public var description: String {
        switch self {
        case .unsafeFileName(let file, let reason):
            return "refused: file name \(KubernetesName.quoted(file)) \(reason), so it is not one entry of the directory"
        case .outsideDirectory(let path, let directory):
            return "refused: \(KubernetesName.quoted(path)) is not directly inside \(KubernetesName.quoted(directory))"
        case .notRegularFile(let file):
            return "\(KubernetesName.quoted(file)) is not a regular file (a link or a directory Flotilla did not write); left alone"
        case .system(let call, let path, let code):
            return "\(call) \(KubernetesName.quoted(path)): \(String(cString: strerror(code)))"
        }
    }
}
