import FlotillaMQTT
import FlotillaModel
import FlotillaSource
import FlotillaStore
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// The hub: follows the GitOps source, publishes each spoke's bundle retained when it changes,
/// stores status reports exactly once and acknowledges them, and tracks presence.
public actor Hub: Service {
    public nonisolated let configuration: HubConfiguration
    public nonisolated let store: HubStore
    let client: MQTTClient
    let logger: Logger
    let loader: SourceLoader

    /// The last plan that passed validation; kept while the source is broken.
    public internal(set) var plan: Plan?
    /// Why the newest source was rejected, or `nil` when it is live.
    public internal(set) var sourceError: String?
    var fingerprint: String?
    var planner = IncrementalPlanner()
    /// The newest generation handed to the broker per spoke.
    var lastEnqueued: [String: Int64] = [:]
    var lastPull = ContinuousClock.now
    var statusBuffer: [MQTTMessage] = []
    var flushing = false
    var connected = false

    let reportsCounter = Counter(label: "flotilla_hub_reports_stored_total")
    let duplicatesCounter = Counter(label: "flotilla_hub_reports_duplicate_total")
    let publishedCounter = Counter(label: "flotilla_hub_bundles_published_total")
    let sourceErrorsCounter = Counter(label: "flotilla_hub_source_errors_total")
    let spokesGauge = Gauge(label: "flotilla_hub_spokes")
    let onlineGauge = Gauge(label: "flotilla_hub_spokes_online")
    let convergedGauge = Gauge(label: "flotilla_hub_spokes_converged")
    var lastGauges = ContinuousClock.now - .seconds(3600)

    public init(configuration: HubConfiguration, logger: Logger = Logger(label: "flotilla.hub")) throws {
        self.configuration = configuration
        self.logger = logger
        store = try HubStore(path: configuration.statePath)
        var mqtt = configuration.mqtt
        mqtt.cleanStart = false
        client = try MQTTClient(configuration: mqtt, logger: logger)
        loader = SourceLoader(root: URL(fileURLWithPath: configuration.sourceDirectory))
    }

    public func run() async throws {
        try client.subscribe(configuration.topics.allStatus, qos: 1)
        try client.subscribe(configuration.topics.allPresence, qos: 1)
        client.start()
        await reloadIfChanged()
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.consumeEvents() }
                group.addTask { await self.consumeMessages() }
                group.addTask { await self.watchSource() }
                await group.waitForAll()
            }
        }
        await client.stop()
        logger.info("hub stopped")
    }

    private func consumeEvents() async {
        for await event in client.events {
            guard !Task.isCancelled else { return }
            switch event {
            case .connected(let sessionPresent):
                connected = true
                logger.info("connected to broker", metadata: ["sessionPresent": "\(sessionPresent)"])
                await republishAll()
            case .disconnected(let reason):
                connected = false
                logger.warning("disconnected from broker", metadata: ["reason": "\(reason)"])
            case .connectFailed(let error):
                connected = false
                logger.warning("cannot connect to broker", metadata: ["error": "\(error)"])
            }
        }
    }

    private func consumeMessages() async {
        for await message in client.messages {
            guard !Task.isCancelled else { return }
            guard let (spoke, channel) = configuration.topics.parse(message.topic) else { continue }
            switch channel {
            case .status:
                statusBuffer.append(message)
                // Flush in the background: reports arriving meanwhile gather into the next batch.
                if !flushing {
                    flushing = true
                    Task { await self.flushStatus() }
                }
            case .presence:
                await recordPresence(spoke: spoke, payload: message.payload)
            default:
                continue
            }
        }
    }

    private func watchSource() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(configuration.pollInterval))
            if Task.isCancelled { return }
            if let every = configuration.gitPullInterval, ContinuousClock.now - lastPull >= .seconds(every) {
                lastPull = .now
                await GitPull.run(in: configuration.sourceDirectory, logger: logger)
            }
            await reloadIfChanged()
            if ContinuousClock.now - lastGauges > .seconds(5) {
                lastGauges = .now
                await updateGauges()
            }
        }
    }

    /// Fleet-level gauges for Prometheus: spokes in the inventory, online, converged.
    func updateGauges() async {
        guard let records = try? await store.spokes() else { return }
        let active = records.filter(\.inInventory)
        spokesGauge.record(active.count)
        onlineGauge.record(active.filter(\.online).count)
        convergedGauge.record(active.filter { $0.phase == "Applied" && $0.appliedGeneration == $0.generation }.count)
    }

    func recordPresence(spoke: String, payload: [UInt8]) async {
        // An empty retained message clears presence; anything unreadable counts as offline.
        let presence = payload.isEmpty ? Presence(state: .offline) : (Presence.decode(payload) ?? Presence(state: .offline))
        do {
            try await store.recordPresence(spoke: spoke, presence: presence)
            if let epoch = presence.epoch, let acked = presence.ackedSequence,
                let ack = try await store.raiseWatermark(spoke: spoke, epoch: epoch, acked: acked)
            {
                logger.notice("watermark raised to the agent's acknowledged sequence", metadata: ["spoke": "\(spoke)", "seq": "\(ack.seq)"])
                _ = try? client.send(topic: configuration.topics.ack(spoke), payload: ack.encoded(), qos: 1, retain: true)
            }
        } catch {
            logger.error("cannot record presence", metadata: ["spoke": "\(spoke)", "error": "\(error)"])
        }
    }

    /// Stores buffered reports (one transaction per spoke and batch), then publishes each
    /// spoke's ack. Reports that arrive meanwhile join the next batch.
    func flushStatus() async {
        flushing = true
        defer { flushing = false }
        // Let the message loop gather what is already arriving into one batch.
        await Task.yield()
        while !statusBuffer.isEmpty {
            let batch = statusBuffer
            statusBuffer.removeAll()
            var bySpoke: [String: [StatusReport]] = [:]
            var order: [String] = []
            for m in batch {
                guard let (spoke, _) = configuration.topics.parse(m.topic) else { continue }
                guard let report = StatusReport.decode(m.payload) else {
                    logger.warning("ignoring malformed status report", metadata: ["spoke": "\(spoke)", "bytes": "\(m.payload.count)"])
                    continue
                }
                if bySpoke[spoke] == nil { order.append(spoke) }
                bySpoke[spoke, default: []].append(report)
            }
            for spoke in order {
                let reports = bySpoke[spoke]!
                do {
                    let before = try await store.spokeCounters(spoke)
                    guard let ack = try await store.ingest(spoke: spoke, reports: reports) else { continue }
                    let after = try await store.spokeCounters(spoke)
                    reportsCounter.increment(by: Int(after.stored - before.stored))
                    duplicatesCounter.increment(by: Int(after.duplicates - before.duplicates))
                    // Only now, with the reports committed, may the watermark move.
                    _ = try? client.send(topic: configuration.topics.ack(spoke), payload: ack.encoded(), qos: 1, retain: true)
                    if let held = reports.compactMap({ $0.kind == .refused ? $0.storedGeneration : nil }).max() {
                        await reassert(spoke: spoke, above: held)
                    }
                } catch {
                    // Not acknowledged: the agent sends these again.
                    logger.error("cannot store status reports", metadata: ["spoke": "\(spoke)", "error": "\(error)"])
                }
            }
        }
    }

    /// The agent holds a newer generation than ours (our database was lost or restored from
    /// an old backup): publish the current content again, numbered above the agent's.
    func reassert(spoke: String, above generation: Int64) async {
        let key = configuration.signingKey
        do {
            guard let p = try await store.reassert(spoke: spoke, above: generation, makeEnvelope: { payload, next in
                try Envelope(spoke: spoke, generation: next, payload: payload).encode(signingWith: key)
            }) else { return }
            logger.notice(
                p.generation > generation
                    ? "agent holds a newer generation than this hub; re-issuing the bundle above it"
                    : "agent refused a replayed bundle; publishing the current one again",
                metadata: ["spoke": "\(spoke)", "generation": "\(p.generation)"])
            await publish([p])
        } catch {
            logger.error("cannot re-issue bundle", metadata: ["spoke": "\(spoke)", "error": "\(error)"])
        }
    }
}
