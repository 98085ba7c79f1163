import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real mosquitto for tests: its own config and data directory, a free loopback port, started
/// by the suite and stopped (or killed) by it. One fixture for every integration test.
public final class MosquittoBroker: @unchecked Sendable {
    // @unchecked: the process handle is only touched by the test that owns the fixture, serially.
    public let port: Int32
    public let directory: URL
    public let persistence: Bool
    let extraConfig: String
    /// A configuration written by someone else (`flotilla broker init`); `nil` when generated here.
    let configFile: URL?
    private var process: SpawnedProcess?

    /// Starts a broker with an open test configuration (anonymous clients allowed).
    /// - Parameters:
    ///   - persistence: keep retained messages and sessions on disk across restarts.
    ///   - extraConfig: more mosquitto.conf lines (ACLs, limits).
    public init(persistence: Bool = true, extraConfig: String = "") throws {
        self.persistence = persistence
        self.extraConfig = extraConfig
        configFile = nil
        directory = try TemporaryDirectory.make(prefix: "mosquitto")
        port = try FreePort.find()
        try start()
    }

    /// Starts a broker from an existing configuration file whose listener is on 127.0.0.1:`port`
    /// and which logs to `mosquitto.log` beside it. The directory belongs to the caller and is
    /// left in place.
    public init(configFile: URL, port: Int32) throws {
        self.configFile = configFile
        self.port = port
        persistence = true
        extraConfig = ""
        directory = configFile.deletingLastPathComponent()
        try start()
    }

    public var url: String { "mqtt://127.0.0.1:\(port)" }

    var configText: String {
        """
        user \(ProcessInfo.processInfo.userName)
        listener \(port) 127.0.0.1
        allow_anonymous true
        persistence \(persistence ? "true" : "false")
        persistence_location \(directory.path)/
        autosave_interval 1
        max_inflight_messages 500
        max_queued_messages 100000
        log_dest file \(directory.path)/mosquitto.log
        log_type error
        log_type warning
        log_type notice
        log_type information
        \(extraConfig)
        """
    }

    /// Starts (or restarts) the broker on the same port and waits until it accepts connections.
    public func start() throws {
        let conf: URL
        if let configFile {
            conf = configFile
        } else {
            conf = directory.appendingPathComponent("mosquitto.conf")
            try configText.write(to: conf, atomically: true, encoding: .utf8)
        }
        process = try SpawnedProcess(
            executable: try Executable.find("mosquitto", extra: ["/usr/sbin/mosquitto"]), arguments: ["-c", conf.path],
            logFile: directory.appendingPathComponent("stderr.log").path)
        try FreePort.waitUntilListening(port: port, timeout: 10)
    }

    /// SIGHUP: mosquitto re-reads its password and ACL files; connections stay up.
    public func reload() {
        process?.signal(SIGHUP)
    }

    /// SIGKILL: the broker dies at once, losing whatever it had not saved.
    public func kill() {
        guard let p = process else { return }
        p.signal(SIGKILL)
        p.wait()
        process = nil
    }

    /// SIGTERM and wait: mosquitto saves its database on the way out.
    public func stop() {
        guard let p = process else { return }
        p.signal(SIGTERM)
        p.wait()
        process = nil
    }

    public var log: String { (try? String(contentsOf: directory.appendingPathComponent("mosquitto.log"), encoding: .utf8)) ?? "" }

    deinit {
        if let p = process, p.isRunning {
            p.signal(SIGKILL)
            p.wait()
        }
        if configFile == nil { try? FileManager.default.removeItem(at: directory) }
    }
}
