import FlotillaConcurrency
import FlotillaMQTT
import FlotillaModel
import FlotillaWire
import FlotillaStore
import Foundation
import Logging
import Metrics

/// The status path: buffers reports, decodes them on every core, stores them in batches (one
/// transaction per batch, thousands of reports), publishes each spoke's ack from one place, tracks presence, and takes recovery
/// claims only where they can be trusted. Nothing a spoke sends can reach another spoke's rows,
/// create a spoke, or stop the hub.
actor StatusIngest {
    /// What the hub does when an agent says it holds a newer generation than the refused one.
    typealias GenerationClaimHandler = @Sendable (_ spoke: String, _ generation: Int64, _ mayReissue: Bool) async -> Void

    let store: HubStore
    let client: MQTTClient
    let topics: Topics
    let logger: Logger
    let maxReportBytes: Int
    let retention: ReportRetention
    private var generationClaimHandler: GenerationClaimHandler?

    /// The spokes of the live inventory; everything else is dropped.
    private var known: Set<String> = []
    /// Spokes that left the inventory while this hub ran: their presence is cleared again if a
    /// still-running agent republishes it.
    private var retired: Set<String> = []
    private var buffer: [(spoke: String, payload: [UInt8])] = []
    private var presenceBuffer: [(spoke: String, presence: Presence)] = []
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    /// The highest ack seen on the broker or published, per spoke: an ack never goes below it.
    private var floors: [String: Ack] = [:]
    /// Acks wait until the broker has delivered the retained acks (the floors).
    private var acksReady = false
    private var acksReadyDeadline: Double?
    private var recoveryUntil: Double = 0
    private var refusals = RefusalLog()
    /// Site bridges whose connection state on the broker is `0` (down): `$SYS/broker/connection/NAME/state`.
    private(set) var bridgesDown: Set<String> = []
    private var lastAgePrune = Date().timeIntervalSince1970

    let reportsCounter = Counter(label: "flotilla_hub_reports_stored_total")
    let duplicatesCounter = Counter(label: "flotilla_hub_reports_duplicate_total")
    let collisionsCounter = Counter(label: "flotilla_hub_reports_collision_total")
    let refusedCounter = Counter(label: "flotilla_hub_messages_refused_total")
    let unknownCounter = Counter(label: "flotilla_hub_unknown_spoke_messages_total")

    init(
        store: HubStore, client: MQTTClient, topics: Topics, logger: Logger, maxReportBytes: Int, retention: ReportRetention
    ) {
        self.store = store
        self.client = client
        self.topics = topics
        self.logger = logger
        self.maxReportBytes = maxReportBytes
        self.retention = retention
        (wakeups, wake) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// The topic whose echo tells that the retained acks delivered before it have arrived.
    static func syncTopic(_ topics: Topics, clientID: String) -> String { "\(topics.prefix)/hub/sync/\(clientID)" }

    func setKnown(_ names: Set<String>) {
        retired.formUnion(known.subtracting(names))
        retired.subtract(names)
        known = names
        // A spoke that left forgets its floor: its retained ack is cleared, and if it returns
        // with the same agent database, the store's watermark still holds.
        floors = floors.filter { names.contains($0.key) }
    }
    func onGenerationClaim(_ handler: @escaping GenerationClaimHandler) { generationClaimHandler = handler }
    func setRecoveryUntil(_ until: Double) { recoveryUntil = until }
    var recoveryOpen: Bool { Date().timeIntervalSince1970 < recoveryUntil }

    /// Stores batches until cancelled; reports arriving during a flush form the next batch.
    func run() async {
        for await _ in wakeups {
            if Task.isCancelled { return }
            await flush()
        }
    }

    func enqueue(spoke: String, payload: [UInt8]) {
        buffer.append((spoke, payload))
        wake.yield()
    }

    /// The hub's connection is up; acks wait for the retained ones at most a few seconds.
    func connected() {
        if !acksReady && acksReadyDeadline == nil { acksReadyDeadline = Date().timeIntervalSince1970 + 5 }
    }

    /// The sync message came back: every retained ack sent before it has been seen.
    func synced() {
        guard !acksReady else { return }
        acksReady = true
        logger.debug("retained acks read", metadata: ["floors": "\(floors.count)"])
        wake.yield()
    }

    /// Periodic duties: the fallback for a sync that never comes, and pruning by age.
    func tick() async {
        let now = Date().timeIntervalSince1970
        if !acksReady, let deadline = acksReadyDeadline, now >= deadline {
            logger.warning("no echo on the hub's sync topic; acknowledging without waiting for retained acks (check the hub's ACL)")
            synced()
        }
        if now - lastAgePrune > 3600 {
            lastAgePrune = now
            do { try await store.pruneByAge(retention) } catch { logger.error("cannot prune old reports", metadata: ["error": "\(error)"]) }
        }
    }

    /// The central broker's record of a site bridge: `1` connected, `0` its will (the site's
    /// uplink or broker is gone). Spokes behind a bridge that is down keep their last presence,
    /// since their wills fire at the site broker, so only this tells they are unreachable.
    func bridgeState(_ bridge: String, payload: [UInt8]) {
        let down = payload == Array("0".utf8)
        let changed = down ? bridgesDown.insert(bridge).inserted : bridgesDown.remove(bridge) != nil
        if changed { logger.notice("site bridge \(down ? "down" : "up")", metadata: ["bridge": "\(bridge)"]) }
    }

    /// A message on an `ack` topic: a retained ack of an earlier hub (or this one's echo) is a
    /// floor, since the agent deleted everything it covers.
    func observeAck(spoke: String, payload: [UInt8]) async {
        guard known.contains(spoke), !payload.isEmpty, let ack = Ack.decode(payload), WireLimits.isValidEpoch(ack.epoch),
            ack.seq >= 1, ack.seq <= WireLimits.maxCounter
        else { return }
        if let floor = floors[spoke], floor.epoch == ack.epoch, floor.seq >= ack.seq { return }
        floors[spoke] = ack
        do {
            if let raised = try await store.raiseWatermark(spoke: spoke, epoch: ack.epoch, acked: ack.seq) {
                logger.notice("watermark raised to the retained ack", metadata: ["spoke": "\(spoke)", "seq": "\(raised.seq)"])
                publish(raised, spoke: spoke)
            }
        } catch {
            logger.error("cannot raise watermark", metadata: ["spoke": "\(spoke)", "error": "\(error)"])
        }
    }

    /// A message on a `presence` topic: buffered and recorded with the others of its batch.
    func presence(spoke: String, payload: [UInt8]) {
        guard admitKnown(spoke, channel: "presence") else {
            if retired.contains(spoke), !payload.isEmpty, refusals.admit(spoke: spoke, reason: "retired presence").log {
                _ = try? client.send(topic: topics.presence(spoke), payload: [], qos: 1, retain: true)
            }
            return
        }
        let presence: Presence
        if payload.isEmpty {
            // An empty retained message clears presence.
            presence = Presence(state: .offline)
        } else {
            do {
                presence = try Presence.parse(payload)
            } catch {
                refuse(spoke: spoke, what: "presence", error)
                return
            }
        }
        presenceBuffer.append((spoke, presence))
        wake.yield()
    }

    /// Records buffered presence in one transaction, then takes each one's claim about what
    /// the hub acknowledged, where it can be trusted.
    private func flushPresence() async {
        guard !presenceBuffer.isEmpty else { return }
        let batch = presenceBuffer
        presenceBuffer.removeAll()
        do {
            try await store.recordPresence(batch)
        } catch {
            logger.error("cannot record presence", metadata: ["spokes": "\(batch.count)", "error": "\(error)"])
            return
        }
        for (spoke, presence) in batch {
            guard let epoch = presence.epoch, let acked = presence.ackedSequence, acked > 0 else { continue }
            await takeAckedClaim(spoke: spoke, epoch: epoch, acked: acked)
        }
    }

    private func takeAckedClaim(spoke: String, epoch: String, acked: Int64) async {
        do {
            guard recoveryOpen else {
                if let floor = floors[spoke], floor.epoch == epoch, floor.seq >= acked { return }
                if try await store.watermark(spoke: spoke, epoch: epoch) >= acked { return }
                refuse(
                    spoke: spoke, what: "presence",
                    WireRefusal(field: "ackedSequence", reason: "claims \(acked), above what this hub acknowledged, outside the recovery window; ignored"))
                return
            }
            if let ack = try await store.raiseWatermark(spoke: spoke, epoch: epoch, acked: acked) {
                logger.notice("watermark raised to the agent's acknowledged sequence", metadata: ["spoke": "\(spoke)", "seq": "\(ack.seq)"])
                publish(ack, spoke: spoke)
            }
        } catch {
            logger.error("cannot record presence", metadata: ["spoke": "\(spoke)", "error": "\(error)"])
        }
    }

    /// Drops messages of spokes outside the inventory, counted and logged at a limited rate.
    private func admitKnown(_ spoke: String, channel: String) -> Bool {
        if known.contains(spoke) { return true }
        unknownCounter.increment()
        // One key for all unknown names: a flood of made-up names must not grow the limiter.
        let (log, suppressed) = refusals.admit(spoke: "*unknown*", reason: channel)
        if log {
            logger.warning(
                "dropping messages of a spoke that is not in the inventory",
                metadata: ["spoke": "\(spoke)", "channel": "\(channel)", "suppressedSinceLast": "\(suppressed)"])
        }
        return false
    }

    private func refuse(spoke: String, what: String, _ refusal: WireRefusal) {
        refusedCounter.increment()
        // One key per kind of refusal: the numbers in a reason vary from message to message.
        let kind = String(refusal.reason.filter { !$0.isNumber }.prefix(48))
        let (log, suppressed) = refusals.admit(spoke: spoke, reason: "\(what) \(refusal.field) \(kind)")
        guard log else { return }
        logger.warning(
            "refused \(what)",
            metadata: ["spoke": "\(spoke)", "field": "\(refusal.field)", "reason": "\(refusal.reason)", "suppressedSinceLast": "\(suppressed)"])
    }

    /// Reports stored in one transaction at most: large enough that the commit's sync is
    /// paid once for thousands of reports, small enough that acks keep flowing under a flood.
    static let maxBatch = 8192

    private func flush() async {
        await flushPresence()
        guard acksReady else { return }
        while !buffer.isEmpty {
            let take = min(buffer.count, Self.maxBatch)
            let batch = Array(buffer.prefix(take))
            buffer.removeFirst(take)
            let known = self.known
            let maxBytes = maxReportBytes
            // Decoding and hashing are pure: done on every core, off this actor.
            let decoded = await BlockingPool.run {
                ParallelMap.map(batch.count, serialBelow: 256) { i -> Decoded in
                    let (spoke, payload) = batch[i]
                    guard known.contains(spoke) else { return .unknown }
                    do throws(WireRefusal) {
                        let report = try StatusReport.parse(payload, maxBytes: maxBytes)
                        return .report(IncomingReport(report: report, digest: StatusReport.digest(of: payload), body: payload))
                    } catch {
                        return .refused(error)
                    }
                }
            }
            var index: [String: Int] = [:]
            var grouped: [SpokeReports] = []
            for (i, outcome) in decoded.enumerated() {
                let spoke = batch[i].spoke
                switch outcome {
                case .unknown: _ = admitKnown(spoke, channel: "status")
                case .refused(let error): refuse(spoke: spoke, what: "status report", error)
                case .report(let incoming):
                    if let at = index[spoke] {
                        grouped[at].reports.append(incoming)
                    } else {
                        index[spoke] = grouped.count
                        grouped.append(SpokeReports(spoke: spoke, reports: [incoming]))
                    }
                }
            }
            await ingest(grouped)
        }
    }

    private enum Decoded: Sendable {
        case unknown
        case refused(WireRefusal)
        case report(IncomingReport)
    }

    private func ingest(_ batch: [SpokeReports]) async {
        guard !batch.isEmpty else { return }
        let results: [IngestResult]
        do {
            results = try await store.ingest(batch, retention: retention)
        } catch {
            // Not acknowledged: the agents send these again.
            logger.error("cannot store status reports", metadata: ["spokes": "\(batch.count)", "error": "\(error)"])
            return
        }
        for (entry, result) in zip(batch, results) {
            let spoke = entry.spoke
            reportsCounter.increment(by: result.stored)
            duplicatesCounter.increment(by: result.duplicates)
            collisionsCounter.increment(by: result.collisions)
            for claim in result.ignoredClaims {
                refuse(spoke: spoke, what: "status report", WireRefusal(field: "generation", reason: claim))
            }
            if result.collisions > 0 {
                logger.warning(
                    "reports reuse sequence numbers with other content (agent state restored from a backup?); asking for a new epoch",
                    metadata: ["spoke": "\(spoke)", "collisions": "\(result.collisions)"])
            }
            // Only now, with the reports committed, may the watermark move.
            if let ack = result.ack { await publishAboveFloor(ack, spoke: spoke) }
            if let held = result.storedGenerationClaim { await generationClaimHandler?(spoke, held, recoveryOpen) }
        }
    }

    /// Publishes an ack, first raising the watermark to the floor when the store is behind
    /// what was already published (a hub database restored from an older backup).
    private func publishAboveFloor(_ ack: Ack, spoke: String) async {
        var ack = ack
        if let floor = floors[spoke], floor.epoch == ack.epoch, floor.seq > ack.seq {
            let newEpoch = ack.newEpoch
            do {
                ack = try await store.raiseWatermark(spoke: spoke, epoch: ack.epoch, acked: floor.seq) ?? floor
            } catch {
                logger.error("cannot raise watermark", metadata: ["spoke": "\(spoke)", "error": "\(error)"])
                return
            }
            ack.newEpoch = newEpoch
        }
        publish(ack, spoke: spoke)
    }

    private func publish(_ ack: Ack, spoke: String) {
        if let floor = floors[spoke], floor.epoch == ack.epoch, floor.seq > ack.seq { return }
        floors[spoke] = ack
        _ = try? client.send(topic: topics.ack(spoke), payload: ack.encoded(), qos: 1, retain: true)
    }
}
