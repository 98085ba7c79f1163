import FlotillaFixtures
import FlotillaHub
import FlotillaMQTT
import FlotillaSim
import FlotillaWire
import Foundation
import Logging
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// One `bench fleet` run: its directory, what it started (all stopped by
/// ``shutdown(removeFiles:)`` on every path), and the stages in order.
final class FleetBenchmarkRun {
    let options: FleetBenchmark.Options
    let capacity: FleetCapacity
    let executable: String
    let dir: URL
    var sourceDir: URL { dir.appendingPathComponent("source") }
    var keysDir: URL { dir.appendingPathComponent("keys") }
    let writer: KubeStellarSourceWriter
    let names: [String]
    let topics = Topics()
    /// The cohort's ConfigMap revision: 1 as written, then one more per change.
    var cohortRevision = 1

    var broker: FleetBroker?
    var hub: BenchProcess?
    var hubHTTPPort = 0
    var hubRSSBeforeFleet = 0
    var fleet: (any BenchFleet)?
    var publisher: MQTTClient?
    var watcher: BundleWatcher?
    var rawCounter: MessageCounter?
    var statusCounter: MessageCounter?
    var metrics: MetricsProbe?
    var rawMetrics: RawMetricsProbe?
    var hubStatus: HubStatusProbe?
    var children: [BenchProcess] = []

    var spokes: Int { options.spokes }

    init(options: FleetBenchmark.Options, capacity: FleetCapacity, executable: String) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else { throw BenchError("\(executable) is not an executable") }
        self.options = options
        self.capacity = capacity
        self.executable = executable
        writer = KubeStellarSourceWriter(spokes: options.spokes, objects: options.objects, policies: options.policies)
        names = writer.spokeNames
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-bench-fleet-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    /// Stops the simulator (gracefully), every client and child, and the broker.
    func shutdown(removeFiles: Bool) async {
        await fleet?.stop()
        for c in [rawCounter, statusCounter] { await c?.stop() }
        await watcher?.stop()
        await publisher?.stop()
        for p in children { p.kill() }
        broker?.stop()
        if removeFiles { try? FileManager.default.removeItem(at: dir) }
    }

    /// The configuration of simulated spokes against the bench broker, trusting the hub's key.
    static func simulatorConfiguration(
        names: [String], port: Int32, hubKeyFile: String?, connectRate: Int, resendInterval: Double, sourceAddresses: [String]
    ) throws -> FleetSimulatorConfiguration {
        var keys: [VerifyingKey] = []
        if let hubKeyFile {
            do {
                keys.append(try VerifyingKey(base64: try String(contentsOfFile: hubKeyFile, encoding: .utf8)))
            } catch {
                throw BenchError("cannot read the hub's public key \(hubKeyFile): \(error)")
            }
        }
        let mqtt = MQTTConfiguration(host: "127.0.0.1", port: port, clientID: "bench-sim")
        return FleetSimulatorConfiguration(
            spokes: names, mqtt: mqtt, trustedKeys: keys, resendInterval: resendInterval, sourceAddresses: sourceAddresses,
            connectRate: connectRate)
    }

    /// Polls `done` every `interval` until it holds.
    /// - Throws: ``BenchError`` saying what was awaited and how far it got, with the log tail of
    ///   the hub or broker if one of them died meanwhile.
    func wait(
        _ what: String, timeout: Duration, every interval: Duration = .milliseconds(20), progress: () -> String,
        until done: () async throws -> Bool
    ) async throws {
        let start = ContinuousClock.now
        while try await !done() {
            try checkAlive(while: what, progress: progress)
            guard ContinuousClock.now - start < timeout else {
                throw BenchError("timed out after \(timeout) waiting for \(what): \(progress())")
            }
            try await Task.sleep(for: interval)
        }
    }

    func checkAlive(while what: String, progress: () -> String) throws {
        if let hub, let exit = hub.poll() {
            throw BenchError("the hub exited with \(exit.code) while waiting for \(what) (\(progress())); \(hub.logFile) ends:\n\(hub.logTail())")
        }
        if let broker, let exit = broker.process.poll() {
            throw BenchError("mosquitto exited with \(exit.code) while waiting for \(what) (\(progress())); see \(broker.logFile.path)")
        }
    }

    /// The simulator's counts; a worker that died throws.
    func counts() throws -> FleetCounts {
        guard let fleet else { throw BenchError("the simulator is not running") }
        return try fleet.counts()
    }

    /// A timeout that grows with the fleet: `base` seconds plus `perSpoke` for each spoke.
    func timeout(_ base: Int, perSpoke: Duration = .milliseconds(10)) -> Duration { .seconds(base) + perSpoke * spokes }

    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }

    static func rate(_ count: Int, _ d: Duration) -> Double {
        let s = seconds(d)
        return s > 0 ? Double(count) / s : 0
    }

    static func format(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }
    static func mib(_ bytes: Int) -> String { format(Double(bytes) / 1_048_576, 1) + " MiB" }
}

/// The hub's `GET /api/v1/status`, as `flotilla status` reads it.
struct HubStatusProbe: Sendable {
    let url: URL
    let session: URLSession

    init(host: String, port: Int) {
        url = URL(string: "http://\(host):\(port)/api/v1/status")!
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 120
        session = URLSession(configuration: configuration)
    }

    func snapshot() async throws -> StatusSnapshot {
        let (data, response) = try await session.data(from: url)
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
            throw BenchError("GET \(url) answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        return try JSONDecoder().decode(StatusSnapshot.self, from: data)
    }
}

/// CPU seconds of the run's processes and of the machine at one moment.
struct CPUSample {
    var at = ContinuousClock.now
    var hub = 0.0
    var broker = 0.0
    var simulator = 0.0
    var bench = 0.0
    var machine = 0.0
}

extension FleetBenchmarkRun {
    func cpuSample() -> CPUSample {
        let own = CPUTime.process(getpid())
        let workers = fleet?.pids ?? []
        return CPUSample(
            at: .now, hub: hub.map { CPUTime.process($0.pid) } ?? 0, broker: broker.map { CPUTime.process($0.process.pid) } ?? 0,
            simulator: workers.isEmpty ? own : workers.reduce(0) { $0 + CPUTime.process($1) }, bench: workers.isEmpty ? 0 : own,
            machine: CPUTime.machineBusy())
    }

    func cpu(from a: CPUSample, to b: CPUSample) -> FleetBenchmarkResult.CPU {
        let (hub, broker, sim, bench, machine) = (b.hub - a.hub, b.broker - a.broker, b.simulator - a.simulator, b.bench - a.bench, b.machine - a.machine)
        return .init(
            wallSeconds: Self.seconds(b.at - a.at), hub: hub, broker: broker, simulator: sim, bench: bench, machine: machine,
            others: max(0, machine - hub - broker - sim - bench), cores: ProcessInfo.processInfo.activeProcessorCount)
    }

    static func describe(_ c: FleetBenchmarkResult.CPU) -> String {
        "CPU over \(format(c.wallSeconds)) s × \(c.cores) cores: hub \(format(c.hub)) s, broker \(format(c.broker)) s, simulator \(format(c.simulator)) s, bench \(format(c.bench)) s, others \(format(c.others)) s (machine busy \(format(c.machine)) s)"
    }
}

/// `GET /metrics` over a plain loopback socket (HTTP/1.0, one connection per request): polled
/// every 20 ms while a change converges, where URLSession's per-request CPU would take a share
/// of the two cores the hub needs.
struct RawMetricsProbe: Sendable {
    let port: Int

    /// Every sample of the page, by metric name (label sets summed).
    func samples() throws -> [String: Double] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BenchError("connect to the hub's HTTP port \(port): \(String(cString: strerror(errno)))") }
        let request = Array("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            throw BenchError("cannot send to the hub's HTTP port")
        }
        // Read until the body is whole (Content-Length), or until the server closes.
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var expected: Int?
        while expected.map({ response.count < $0 }) ?? true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            response.append(contentsOf: buffer[0..<n])
            if expected == nil, let end = Self.headerEnd(response) {
                let head = String(decoding: response[..<end], as: UTF8.self).lowercased()
                if let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                    let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
                {
                    expected = end + 4 + length
                }
            }
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.") && text.split(separator: " ", maxSplits: 2).dropFirst().first == "200",
            let body = text.range(of: "\r\n\r\n")
        else { throw BenchError("GET /metrics answered: \(text.prefix(80))") }
        return MetricsProbe.parse(String(text[body.upperBound...]))
    }

    /// Where the header's blank line starts.
    static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }
}
