import FlotillaMQTT
import FlotillaModel
import FlotillaWire
import FlotillaStore
import Foundation
import Logging
import ServiceLifecycle

/// A spoke agent: keeps a persistent session, stores each verified bundle before applying it,
/// and reports through its SQLite outbox until the hub's ack watermark covers every report.
///
/// With no broker at all it still applies its stored bundle at start and keeps reconciling.
public actor Agent: Service {
    public nonisolated let configuration: AgentConfiguration
    public nonisolated let store: AgentStore
    let client: MQTTClient
    let logger: Logger

    var connected = false
    /// Highest sequence number handed to the broker on the current connection.
    var sentThrough: Int64 = 0
    var acked: Int64
    var lastProgress = ContinuousClock.now
    var lastRefusal: String?
    /// Reports the broker has PUBACKed since start (the broker has them, the hub may not).
    public internal(set) var pubacked = 0
    var applying = false
    /// The hub cleared this spoke's desired state: it left the inventory.
    var retired = false
    var applyWaiters: [CheckedContinuation<Void, Never>] = []
    /// Publishes awaiting their PUBACK, counted by one child task of ``run()``.
    let unacknowledged: (stream: AsyncStream<PendingPublish>, continuation: AsyncStream<PendingPublish>.Continuation) = AsyncStream.makeStream()
    var pumping = false
    var pumpAgain = false

    /// Opens the state file and prepares the MQTT client; nothing runs until ``run()``.
    public init(configuration: AgentConfiguration, logger: Logger = Logger(label: "flotilla.agent")) async throws {
        self.configuration = configuration
        self.logger = logger
        if let certFile = configuration.mqtt.tls?.certFile {
            let cn = try CertificateIdentity.commonName(ofPEMFile: certFile)
            guard cn == configuration.name else {
                throw AgentError.certificateNameMismatch(certificate: certFile, commonName: cn, name: configuration.name)
            }
        }
        store = try AgentStore(path: configuration.statePath, spoke: configuration.name)
        var mqtt = configuration.mqtt
        mqtt.clientID = configuration.name
        mqtt.cleanStart = false
        mqtt.will = MQTTConfiguration.Will(
            topic: configuration.topics.presence(configuration.name), payload: Presence(state: .offline).encoded())
        client = try MQTTClient(configuration: mqtt, logger: logger)
        acked = try await store.inspect().ackedSequence
        try await store.recordTrustedKeys(configuration.trustedKeys.map(\.keyID))
    }

    public func run() async throws {
        if configuration.trustedKeys.isEmpty {
            logger.warning("no --hub-key: unsigned bundles are accepted", metadata: ["spoke": "\(configuration.name)"])
        } else {
            logger.info("trusting hub keys", metadata: ["spoke": "\(configuration.name)", "keyIds": "\(configuration.trustedKeys.map(\.keyID).joined(separator: ","))"])
        }
        try client.subscribe(configuration.topics.desired(configuration.name), qos: 1)
        try client.subscribe(configuration.topics.ack(configuration.name), qos: 1)
        try await store.report(.event, message: "agent started (applier \(configuration.applier.name))")
        await reconcile(reason: "start")
        client.start()
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.consumeEvents() }
                group.addTask { await self.consumeMessages() }
                group.addTask { await self.timers() }
                group.addTask { await self.countPubacks() }
                await group.waitForAll()
            }
        }
        await shutdown()
    }

    private func shutdown() async {
        if connected {
            let offline = Presence(state: .offline, appliedGeneration: try? await store.inspect().appliedGeneration)
            if let ticket = try? client.enqueue(topic: configuration.topics.presence(configuration.name), payload: offline.encoded(), retain: true) {
                _ = await withTaskGroup(of: Bool.self) { g in
                    g.addTask { (try? await ticket.acknowledged()) != nil }
                    g.addTask { try? await Task.sleep(for: .seconds(2)); return false }
                    let r = await g.next() ?? false
                    g.cancelAll()
                    return r
                }
            }
        }
        await client.stop()
        logger.info("agent stopped", metadata: ["spoke": "\(configuration.name)"])
    }

    /// Counts the reports the broker has PUBACKed, in the order they were handed over.
    private func countPubacks() async {
        for await ticket in unacknowledged.stream {
            guard !Task.isCancelled else { return }
            if (try? await ticket.acknowledged()) != nil { pubacked += 1 }
        }
    }

    private func consumeEvents() async {
        for await event in client.events {
            guard !Task.isCancelled else { return }
            await handle(event)
        }
    }

    private func consumeMessages() async {
        for await message in client.messages {
            guard !Task.isCancelled else { return }
            await handle(message)
        }
    }

    private func timers() async {
        let tick = max(0.2, min(configuration.resendInterval, 5))
        var sinceReconcile = 0.0
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(tick))
            if Task.isCancelled { return }
            sinceReconcile += tick
            if configuration.reconcileInterval > 0 && sinceReconcile >= configuration.reconcileInterval {
                sinceReconcile = 0
                await reconcile(reason: "periodic")
            }
            await resendIfStalled()
        }
    }

    func handle(_ event: MQTTEvent) async {
        switch event {
        case .connected(let sessionPresent):
            connected = true
            logger.info("connected", metadata: ["spoke": "\(configuration.name)", "sessionPresent": "\(sessionPresent)"])
            await announce()
            // Anything not acknowledged may have been lost with the old connection: send it all again.
            sentThrough = acked
            lastProgress = .now
            await pump()
        case .disconnected(let reason):
            connected = false
            logger.warning("disconnected", metadata: ["spoke": "\(configuration.name)", "reason": "\(reason)"])
        case .connectFailed(let error):
            connected = false
            logger.warning("cannot connect", metadata: ["spoke": "\(configuration.name)", "error": "\(error)"])
        }
    }

    func handle(_ message: MQTTMessage) async {
        guard let (spoke, channel) = configuration.topics.parse(message.topic), spoke == configuration.name else { return }
        switch channel {
        case .desired: await receive(envelope: message.payload)
        case .ack:
            guard let ack = Ack.decode(message.payload) else {
                logger.warning("ignoring malformed ack", metadata: ["bytes": "\(message.payload.count)"])
                return
            }
            await acknowledge(ack)
        default: return
        }
    }

    func acknowledge(_ ack: Ack) async {
        // A collision notice matters whatever its sequence number; a plain ack only when it moves.
        guard ack.seq > acked || ack.newEpoch == true else { return }
        do {
            switch try await store.acknowledge(ack) {
            case .ignored:
                return
            case .renumbered(let epoch):
                // The hub holds a history this file did not write: it now numbers anew.
                logger.warning(
                    "the hub holds reports this state file did not write (restored from an older copy?); pending reports renumbered under a new epoch",
                    metadata: ["spoke": "\(configuration.name)", "epoch": "\(epoch)"])
                acked = 0
                sentThrough = 0
                await announce()
                await pump()
            case .deleted:
                acked = ack.seq
                lastProgress = .now
                if sentThrough < acked { sentThrough = acked }
                await pump()
            }
        } catch {
            logger.error("cannot record ack", metadata: ["error": "\(error)"])
        }
    }

    /// Publishes retained presence with the facts a hub needs, including the watermark this
    /// agent was last acknowledged: a hub that lost its database starts from there.
    func announce() async {
        guard !retired else { return }
        let applied = try? await store.inspect().appliedGeneration
        let online = Presence(
            state: .online, agentVersion: FlotillaVersion.current, applier: configuration.applier.name,
            appliedGeneration: applied ?? nil, time: Date().timeIntervalSince1970, epoch: store.epoch, ackedSequence: acked)
        _ = try? client.send(topic: configuration.topics.presence(configuration.name), payload: online.encoded(), qos: 1, retain: true)
    }
}
