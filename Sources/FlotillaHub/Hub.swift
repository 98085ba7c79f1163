import FlotillaMQTT
import FlotillaModel
import FlotillaWire
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
    /// The source as last read was rejected whole.
    public internal(set) var sourceRejected = false
    var fingerprint: String?
    /// The fingerprint of the files whose reload has finished.
    var readFingerprint: String?
    let plannerBox = PlannerBox()
    /// Compare every spoke with the store on the next reload: at start, and after a reload
    /// whose plan could not be recorded.
    var needsFullSync = true
    /// Changed spokes the rollout gate held back: reconsidered on every reload.
    var heldSpokes: Set<String> = []
    /// The inventory as of the last recorded plan.
    var inventory: Set<String> = []
    /// The bundle path: plan → generations → envelopes → broker.
    public nonisolated let publisher: BundlePublisher
    var lastPull = ContinuousClock.now
    var connected = false
    /// The status path: reports, acks, presence.
    nonisolated let ingest: StatusIngest
    nonisolated let syncTopic: String

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
        let client = try MQTTClient(configuration: mqtt, logger: logger)
        self.client = client
        loader = SourceLoader(root: URL(fileURLWithPath: configuration.sourceDirectory))
        syncTopic = StatusIngest.syncTopic(configuration.topics, clientID: mqtt.clientID)
        publisher = BundlePublisher(
            store: store, sink: client, topics: configuration.topics, signingKey: configuration.signingKey, logger: logger)
        ingest = StatusIngest(
            store: store, client: client, topics: configuration.topics, logger: logger, maxReportBytes: configuration.maxReportBytes,
            retention: configuration.retention)
    }

    public func run() async throws {
        if let key = configuration.signingKey {
            logger.info("signing bundles", metadata: ["keyId": "\(key.keyID)"])
        } else {
            logger.warning(
                "running without --signing-key: bundles are unsigned; agents given --hub-key refuse them, agents without one accept anything")
        }
        try await openRecoveryWindowIfNeeded()
        await ingest.onGenerationClaim { [publisher] spoke, generation, mayReissue in
            await publisher.reassert(spoke: spoke, above: generation, mayReissue: mayReissue)
        }
        // Known before the first message: retained acks arrive right after the subscription.
        await ingest.setKnown(try await store.inventory())
        // Acks first: their retained copies are the floors every later ack stays above.
        try client.subscribe(configuration.topics.allAcks, qos: 1)
        try client.subscribe(syncTopic, qos: 1)
        try client.subscribe(configuration.topics.allStatus, qos: 1)
        try client.subscribe(configuration.topics.allPresence, qos: 1)
        try client.subscribe(Self.bridgeStates, qos: 1)
        client.start()
        await reloadIfChanged()
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.consumeEvents() }
                group.addTask { await self.consumeMessages() }
                group.addTask { await self.watchSource() }
                group.addTask { await self.ingest.run() }
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
                // Comes back after the retained acks of the subscriptions sent before it.
                await ingest.connected()
                _ = try? client.send(topic: syncTopic, payload: Array("sync".utf8), qos: 1, retain: false)
                await publisher.republishAll()
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
            guard !Task.isCancelled else { break }
            if message.topic == syncTopic {
                await ingest.synced()
                continue
            }
            if let bridge = Self.bridge(of: message.topic) {
                await ingest.bridgeState(bridge, payload: message.payload)
                continue
            }
            guard let (spoke, channel) = configuration.topics.parse(message.topic) else { continue }
            switch channel {
            case .status: await ingest.enqueue(spoke: spoke, payload: message.payload)
            case .presence: await ingest.presence(spoke: spoke, payload: message.payload)
            case .ack: await ingest.observeAck(spoke: spoke, payload: message.payload)
            case .desired: continue
            }
        }
    }

    /// A new state file, or `--recover`, opens the window in which agents' claims are believed.
    private func openRecoveryWindowIfNeeded() async throws {
        let isNew = try await store.takeNewFileMark()
        if isNew || configuration.recover {
            let until = Date().timeIntervalSince1970 + configuration.recoveryWindow
            try await store.openRecoveryWindow(until: until)
            logger.notice(
                "recovery window open: agents' generations and acknowledged sequences are believed",
                metadata: ["seconds": "\(configuration.recoveryWindow)", "reason": "\(isNew ? "new state file" : "--recover")"])
        }
        await ingest.setRecoveryUntil(try await store.recoveryUntil())
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
            await ingest.tick()
            if ContinuousClock.now - lastGauges > .seconds(5) {
                lastGauges = .now
                await updateGauges()
            }
        }
    }

    /// Fleet-level gauges for Prometheus: spokes in the inventory, online, converged.
    func updateGauges() async {
        guard let counts = try? await store.fleetCounts() else { return }
        spokesGauge.record(counts.spokes)
        onlineGauge.record(counts.online)
        convergedGauge.record(counts.converged)
    }

    /// Where the central broker keeps each bridge's connection state (`notifications true`).
    static let bridgeStates = "$SYS/broker/connection/+/state"

    /// The bridge a `$SYS/broker/connection/NAME/state` topic speaks of.
    static func bridge(of topic: String) -> String? {
        let prefix = "$SYS/broker/connection/", suffix = "/state"
        guard topic.hasPrefix(prefix), topic.hasSuffix(suffix), topic.count > prefix.count + suffix.count else { return nil }
        let name = topic.dropFirst(prefix.count).dropLast(suffix.count)
        return name.contains("/") ? nil : String(name)
    }
}
