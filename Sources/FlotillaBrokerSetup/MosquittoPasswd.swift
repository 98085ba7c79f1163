import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// mosquitto's own `mosquitto_passwd`, run as a subprocess, so the password file holds exactly
/// the hashes the installed broker expects (PBKDF2-SHA512 on 2.0.11).
///
/// Passwords go to the tool on standard input (typed twice, as at a terminal), never on its
/// command line, where any local user could read them in `/proc/PID/cmdline`. Standard input
/// is an unlinked 0600 file beside the password file rather than a pipe: a tool that exits
/// without reading cannot then kill this process with SIGPIPE.
public struct MosquittoPasswd: Sendable {
    public let executable: String

    static let searchPath = ["/usr/bin/mosquitto_passwd", "/usr/local/bin/mosquitto_passwd", "/usr/sbin/mosquitto_passwd"]

    /// Finds the tool in `PATH` and the usual install locations.
    /// - Throws: ``BrokerSetupError/passwordToolMissing(searched:)`` when it is not installed.
    public init(executable: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws(BrokerSetupError) {
        let fm = FileManager.default
        if let executable {
            guard fm.isExecutableFile(atPath: executable) else { throw .passwordToolMissing(searched: [executable]) }
            self.executable = executable
            return
        }
        let fromPath = (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/mosquitto_passwd" }
        let candidates = fromPath + Self.searchPath
        guard let found = candidates.first(where: { fm.isExecutableFile(atPath: $0) }) else {
            throw .passwordToolMissing(searched: Array(Set(candidates)).sorted())
        }
        self.executable = found
    }

    /// Adds `user` to `file`, or replaces its hash. The file must exist.
    public func set(user: String, password: String, in file: URL) throws(BrokerSetupError) {
        let input = try Self.inputFile(beside: file, text: "\(password)\n\(password)\n")
        try run([file.path, user], input: input, display: "mosquitto_passwd \(file.path) \(user)")
    }

    /// Removes `user` from `file`.
    public func delete(user: String, from file: URL) throws(BrokerSetupError) {
        guard let devNull = FileHandle(forReadingAtPath: "/dev/null") else {
            throw .io(path: "/dev/null", message: "cannot open")
        }
        try run(["-D", file.path, user], input: devNull, display: "mosquitto_passwd -D \(file.path) \(user)")
    }

    /// Writes `text` to a new 0600 file in `file`'s directory, unlinks it and returns it open
    /// for reading, so it is gone from the directory before the tool starts.
    static func inputFile(beside file: URL, text: String) throws(BrokerSetupError) -> FileHandle {
        let path = file.deletingLastPathComponent().appendingPathComponent(".mosquitto_passwd-input-\(UUID().uuidString)").path
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: path, message: "cannot create: \(String(cString: strerror(errno)))") }
        unlink(path)
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: Data(text.utf8))
            try handle.seek(toOffset: 0)
        } catch {
            throw .io(path: path, message: "cannot write: \(error.localizedDescription)")
        }
        return handle
    }

    private func run(_ arguments: [String], input: FileHandle, display: String) throws(BrokerSetupError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            throw .passwordToolFailed(command: display, status: -1, output: "cannot start \(executable): \(error.localizedDescription)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw .passwordToolFailed(command: display, status: process.terminationStatus, output: text)
        }
    }
}
