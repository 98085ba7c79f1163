import Foundation

/// mosquitto's own `mosquitto_passwd`, run as a subprocess, so the password file holds exactly
/// the hashes the installed broker expects (PBKDF2-SHA512 on 2.0.11).
///
/// Passwords go to the tool on standard input (typed twice, as at a terminal), never on its
/// command line, where any local user could read them in `/proc/PID/cmdline`.
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
        try run([file.path, user], input: "\(password)\n\(password)\n", display: "mosquitto_passwd \(file.path) \(user)")
    }

    /// Removes `user` from `file`.
    public func delete(user: String, from file: URL) throws(BrokerSetupError) {
        try run(["-D", file.path, user], input: nil, display: "mosquitto_passwd -D \(file.path) \(user)")
    }

    private func run(_ arguments: [String], input: String?, display: String) throws(BrokerSetupError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe()
        let output = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = output
        do {
            try process.run()
        } catch {
            throw .passwordToolFailed(command: display, status: -1, output: "cannot start \(executable): \(error.localizedDescription)")
        }
        // The tool's output is a line or two; the pipe buffer holds it while we write.
        stdin.fileHandleForWriting.write(Data((input ?? "").utf8))
        try? stdin.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw .passwordToolFailed(command: display, status: process.terminationStatus, output: text)
        }
    }
}
