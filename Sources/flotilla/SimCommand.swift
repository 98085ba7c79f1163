import ArgumentParser
import FlotillaSim
import FlotillaWire
import Foundation
import Logging
import ServiceLifecycle

/// `flotilla sim`: N simulated spokes against a real broker (and the hub behind it), until
/// SIGTERM or SIGINT, with a summary line every few seconds.
struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Simulate many spokes, each a real MQTT client speaking the protocol, until SIGTERM or SIGINT.",
        discussion: """
            Every simulated spoke verifies and "applies" its bundles (a null applier: nothing is written) and reports \
            through an in-memory outbox that only the hub's acks empty. All connections share one epoll thread. \
            Prints a summary every --summary-interval seconds, and a line when every spoke runs the newest generation.
            """)

    @Option(help: "Spokes to simulate (with --names-file: the first N names of the file).")
    var spokes: Int?

    @Option(help: "Spoke names are this prefix and a number zero-padded to the width of --spokes: store-0001…")
    var namePrefix = "store-"

    @Option(help: "File of spoke names, one per line, instead of --name-prefix.")
    var namesFile: String?

    @Option(help: "Trusted hub public key file (repeat for key rotation). Without one, unsigned bundles are accepted.")
    var hubKey: [String] = []

    @Option(help: "Directory of per-spoke password files NAME.password, as `flotilla broker init` writes them (each spoke logs in as its name).")
    var credentials: String?

    @Option(help: "Share of the spokes whose connection is dropped (no DISCONNECT: the broker sends the will) every --flap-seconds.")
    var flakyFraction: Double = 0

    @Option(help: "Seconds between flaps, and the longest delay before a dropped spoke reconnects.")
    var flapSeconds: Double = 30

    @Option(help: "Loopback source addresses (127.0.0.2, 127.0.0.3…) to spread the connections over; by default one per 20,000 spokes past 20,000 (a broker on loopback).")
    var sourceAddresses: Int?

    @Option(help: "Connections started per second (0: all at once).")
    var connectRate = 2000

    @Option(help: "Seconds before unacknowledged reports are sent again.")
    var resendInterval: Double = 10

    @Option(help: "Seconds between summary lines.")
    var summaryInterval: Double = 5

    @OptionGroup var bundleLimit: BundleLimitOptions
    @OptionGroup var topicOptions: TopicOptions
    @OptionGroup var brokerOptions: BrokerOptions
    @OptionGroup var log: LogOptions

    func validate() throws {
        guard spokes != nil || namesFile != nil else { throw ValidationError("give --spokes N, or --names-file") }
        if let spokes, spokes < 1 { throw ValidationError("--spokes must be at least 1") }
        guard (0...1).contains(flakyFraction) else { throw ValidationError("--flaky-fraction must be 0…1") }
        guard flapSeconds > 0, resendInterval > 0, summaryInterval > 0 else {
            throw ValidationError("--flap-seconds, --resend-interval and --summary-interval must be positive")
        }
        if let sourceAddresses, !(0...65_000).contains(sourceAddresses) { throw ValidationError("--source-addresses must be 0…65000") }
        if brokerOptions.username != nil {
            throw ValidationError("--username: each simulated spoke logs in as its own name; give --password-file (one password for all) or --credentials DIR")
        }
        if brokerOptions.passwordFile != nil && credentials != nil { throw ValidationError("--password-file and --credentials exclude each other") }
    }

    func run() async throws {
        let logger = log.bootstrap(label: "flotilla.sim")
        var mqtt = try brokerOptions.configuration(clientID: "flotilla-sim")
        var login = SpokeCredentials.none
        if let password = mqtt.password { login = .password(password) }
        if let credentials { login = .directory(credentials) }
        mqtt.password = nil
        let names = try spokeNames()
        let sources =
            sourceAddresses.map { FleetSimulatorConfiguration.loopbackSourceAddresses(count: $0) }
            ?? FleetSimulatorConfiguration.automaticSourceAddresses(spokes: names.count, host: mqtt.host)
        var configuration = FleetSimulatorConfiguration(
            spokes: names, mqtt: mqtt, credentials: login, trustedKeys: try trustedKeys(logger),
            maxBundleBytes: bundleLimit.maxBundleBytes ?? WireLimits.maxPacketBytes, topics: topicOptions.topics,
            resendInterval: resendInterval, flakyFraction: flakyFraction, flapSeconds: flapSeconds, sourceAddresses: sources)
        configuration.connectRate = connectRate
        let perSource = (names.count + max(sources.count, 1) - 1) / max(sources.count, 1)
        if perSource > 28_000 {
            logger.warning("more connections per source address than ephemeral ports; add --source-addresses", metadata: ["perAddress": "\(perSource)"])
        }
        let simulator: FleetSimulator
        do {
            simulator = try FleetSimulator(configuration: configuration, logger: logger)
        } catch let error as SimulatorError {
            throw RuntimeFailure("\(error)")
        }
        let limit = simulator.fileDescriptorLimit
        SimReport.say(
            "open files: limit \(limit.soft) (was \(limit.previous), hard \(limit.hard)); \(names.count) spokes need about \(FleetSimulator.descriptorsNeeded(spokes: names.count))")
        if !sources.isEmpty { SimReport.say("source addresses: \(sources.first!)…\(sources.last!) (\(sources.count))") }
        let service = SimReport(simulator: simulator, interval: .milliseconds(Int64(summaryInterval * 1000)))
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    private func spokeNames() throws -> [String] {
        guard let namesFile else { return FleetSimulatorConfiguration.spokeNames(prefix: namePrefix, count: spokes ?? 0) }
        let text: String
        do {
            text = try String(contentsOfFile: namesFile, encoding: .utf8)
        } catch {
            throw RuntimeFailure("cannot read --names-file \(namesFile): \(error.localizedDescription)")
        }
        let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return spokes.map { Array(names.prefix($0)) } ?? names
    }

    private func trustedKeys(_ logger: Logger) throws -> [VerifyingKey] {
        var keys: [VerifyingKey] = []
        for file in hubKey {
            do {
                keys.append(try VerifyingKey(base64: try String(contentsOfFile: file, encoding: .utf8)))
            } catch {
                throw RuntimeFailure("cannot load --hub-key \(file): \(error)")
            }
        }
        if keys.isEmpty { logger.warning("no --hub-key given: the simulated spokes accept unsigned bundles (development only)") }
        return keys
    }
}

/// Runs the simulator as a service and says how it goes: a summary every `interval`, and a
/// line whenever every spoke runs a newer generation.
struct SimReport: Service {
    let simulator: FleetSimulator
    let interval: Duration

    func run() async throws {
        let began = ContinuousClock.now
        simulator.start()
        await cancelWhenGracefulShutdown {
            var lastSummary = began
            var allAt: Int64 = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                let s = simulator.snapshot()
                let newest = s.newestGeneration
                if newest > allAt, s.spokesApplied(atLeast: newest) == s.spokes {
                    allAt = newest
                    let at = s.lastApplyAt?.timeIntervalSince1970 ?? 0
                    let since = s.firstBundleAt.map { (s.lastApplyAt ?? $0).timeIntervalSince($0) } ?? 0
                    Self.say(
                        "all \(s.spokes) spokes applied generation \(newest) at \(String(format: "%.3f", at)) (unix), "
                            + "\(String(format: "%.2f", since)) s after the first bundle arrived")
                }
                if ContinuousClock.now - lastSummary >= interval {
                    lastSummary = .now
                    Self.say("[\(Self.seconds(ContinuousClock.now - began))] \(s.summary)")
                }
            }
        }
        await simulator.stop()
        Self.say("stopped: \(simulator.snapshot().summary)")
    }

    static func seconds(_ d: Duration) -> String {
        String(format: "%.0fs", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }

    /// Prints a line now, even when stdout is a file.
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
