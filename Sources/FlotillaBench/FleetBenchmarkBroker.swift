import FlotillaFixtures
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The mosquitto of `bench fleet`: on a free loopback port, sized for the fleet, with
/// persistence on, so that the reconnect storm can SIGKILL it and start it again on the same
/// port with the sessions and retained messages of its last save.
///
/// - `max_connections -1`: no limit but the open-file limit, which it inherits from the
///   benchmark (raised to the hard limit first; one descriptor per connection).
/// - `max_queued_messages` = ``queuedMessages(spokes:)``: the limit is per client, and the
///   hub's one subscription to every spoke's status topic queues the whole fleet's reports (at
///   10,000 spokes a limit of 10,000 dropped reports bound for the hub).
/// - `max_inflight_messages 500`, `max_queued_bytes 0`.
final class FleetBroker {
    let port: Int32
    let dir: URL
    let spokes: Int
    private(set) var process: BenchProcess
    /// Processes of earlier runs (before a restart), kept for their figures.
    private(set) var previous: [BenchProcess] = []
    var configFile: URL { dir.appendingPathComponent("mosquitto.conf") }
    var databaseFile: URL { dir.appendingPathComponent("mosquitto.db") }
    var logFile: URL { dir.appendingPathComponent("mosquitto.log") }

    static let inflight = 500

    /// At least 20 messages per spoke queued for one client, and never fewer than 100,000.
    static func queuedMessages(spokes: Int) -> Int { max(100_000, 20 * spokes) }

    static func executable() throws -> String {
        let candidates = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"]
        guard let exe = candidates.first(where: FileManager.default.isExecutableFile) else {
            throw BenchError("mosquitto not found: run `make deps`")
        }
        return exe
    }

    /// Writes the configuration into `directory` and starts the broker.
    init(spokes: Int, directory: URL) throws {
        self.spokes = spokes
        dir = directory
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        port = try FreePort.find()
        let configFile = directory.appendingPathComponent("mosquitto.conf")
        let logFile = directory.appendingPathComponent("mosquitto.log")
        let conf = """
            user \(ProcessInfo.processInfo.userName)
            listener \(port) 127.0.0.1
            max_connections -1
            allow_anonymous true
            max_inflight_messages \(Self.inflight)
            max_queued_messages \(Self.queuedMessages(spokes: spokes))
            max_queued_bytes 0
            persistence true
            persistence_location \(dir.path)/
            persistence_file mosquitto.db
            autosave_interval 3600
            log_dest file \(logFile.path)
            log_type error
            log_type warning
            log_type notice

            """
        try conf.write(to: configFile, atomically: true, encoding: .utf8)
        process = try Self.launch(configFile: configFile, log: dir.appendingPathComponent("mosquitto.stderr").path)
        while try !isListening() { usleep(5_000) }
    }

    private static func launch(configFile: URL, log: String) throws -> BenchProcess {
        try BenchProcess(name: "mosquitto", executable: try executable(), arguments: ["-c", configFile.path], stdout: "/dev/null", logFile: log)
    }

    /// Whether the broker accepts connections on its port now.
    /// - Throws: ``BenchError`` when the broker exited, or has not listened for 30 s.
    private func isListening() throws -> Bool {
        if FreePort.isListening(port: port) { return true }
        if let exit = process.poll() {
            throw BenchError("mosquitto exited with \(exit.code) before listening on 127.0.0.1:\(port); its stderr: \(process.logTail())")
        }
        guard ContinuousClock.now - process.started < .seconds(30) else {
            process.kill()
            throw BenchError("mosquitto did not listen on 127.0.0.1:\(port) within 30 s; config in \(configFile.path)")
        }
        return false
    }

    /// Asks the broker to write its persistence file now (SIGUSR1) and waits until it has.
    /// - Returns: the file's size in bytes.
    func save(timeout: Duration = .seconds(60)) async throws -> Int {
        let before = Self.modified(databaseFile)
        kill(process.pid, SIGUSR1)
        let deadline = ContinuousClock.now + timeout
        while true {
            if let now = Self.modified(databaseFile), now != before {
                // mosquitto writes `mosquitto.db.new` and renames it: once renamed, it is whole.
                let size = (try? FileManager.default.attributesOfItem(atPath: databaseFile.path)[.size] as? Int) ?? 0
                return size
            }
            guard ContinuousClock.now < deadline else { throw BenchError("mosquitto did not write \(databaseFile.path) within \(timeout) of SIGUSR1") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The file's modification time (and inode, so a rename over it shows even within one tick).
    private static func modified(_ url: URL) -> String? {
        guard let a = try? FileManager.default.attributesOfItem(atPath: url.path) else { return nil }
        let date = (a[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(date)/\((a[.systemFileNumber] as? Int) ?? 0)"
    }

    /// SIGKILL: no will is sent, nothing more is saved.
    func crash() {
        process.kill()
    }

    /// Starts the broker again on the same port and configuration (after ``crash()``); returns
    /// when it listens (it reads its persistence file first).
    func restart() async throws {
        previous.append(process)
        process = try Self.launch(configFile: configFile, log: dir.appendingPathComponent("mosquitto-\(previous.count).stderr").path)
        while try !isListening() { try await Task.sleep(for: .milliseconds(5)) }
    }

    /// `VmRSS` and `VmHWM` of the running broker, in bytes.
    func memory() -> (rss: Int, peak: Int)? {
        process.memory().map { ($0.rssKiB * 1024, $0.peakKiB * 1024) }
    }

    func stop() {
        process.kill()
    }
}
