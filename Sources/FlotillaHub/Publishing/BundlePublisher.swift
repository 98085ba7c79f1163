import FlotillaConcurrency
import FlotillaModel
import FlotillaStore
import FlotillaWire
import Logging
import Metrics

/// The one path from a plan to retained messages: decides which spokes changed and their next
/// generations, asks the ``RolloutGate`` which may go now, builds their envelopes on every
/// core, commits them in one transaction, and hands them to the broker, never a lower
/// generation than one already handed over for a spoke. The hub, `flotilla bench` and the
/// tests all publish through it.
public actor BundlePublisher {
    /// A spoke whose planned bundle differs from the published one.
    public struct Candidate: Sendable, Equatable {
        public var spoke: String
        public var generation: Int64
        public var hash: String
    }

    /// What one ``publish(_:payloads:)`` did.
    public struct Outcome: Sendable {
        public var published: [HubStore.Publication] = []
        /// Changed spokes the gate held back.
        public var held: [String] = []
    }

    let store: HubStore
    let sink: any BundleSink
    let topics: Topics
    let signingKey: SigningKey?
    let gate: any RolloutGate
    let logger: Logger
    /// Which key signs: a published envelope signed by another is re-signed.
    var keyId: String { signingKey?.keyID ?? "" }
    /// The newest generation handed to the broker per spoke.
    private var lastHandedOver: [String: Int64] = [:]
    private let publishedCounter = Counter(label: "flotilla_hub_bundles_published_total")

    public init(
        store: HubStore, sink: any BundleSink, topics: Topics, signingKey: SigningKey?, gate: any RolloutGate = AdmitAll(),
        logger: Logger
    ) {
        self.store = store
        self.sink = sink
        self.topics = topics
        self.signingKey = signingKey
        self.gate = gate
        self.logger = logger
    }

    /// Envelopes built, committed and handed over together. While one chunk is committed and
    /// handed to the broker, the next is built on every core, so the first bundles are on the
    /// wire long before the last are signed, and the broker never waits on a whole plan.
    static let chunkSize = 1024

    /// Records and publishes a plan's bundles: `entries` holds the spokes to compare with the
    /// store (every spoke of the plan, or only those that may have changed) with their content
    /// hashes (the hex SHA-256 of each payload: it goes into the envelope's header as it is),
    /// `payloads` the canonical payload of each.
    public func publish(_ entries: [HubStore.PlanEntry], payloads: [String: [UInt8]]) async throws -> Outcome {
        let changed = try await store.changed(entries, keyId: keyId)
        let candidates = changed.map { Candidate(spoke: $0.entry.spoke, generation: $0.generation, hash: $0.entry.hash) }
        let admitted = await gate.admit(candidates)
        let admittedNames = Set(admitted.map(\.spoke))
        let candidateNames = Set(candidates.map(\.spoke))
        let jobs = admitted.map { EnvelopeBatch.Job(spoke: $0.spoke, generation: $0.generation, payload: payloads[$0.spoke] ?? [], hash: $0.hash) }
        let byName = Dictionary(entries.map { ($0.spoke, $0) }, uniquingKeysWith: { a, _ in a })
        // A held spoke's entry is not recorded: its old hash keeps it a candidate next time.
        // Unchanged entries only clear a stale plan error; they go with the first chunk.
        var unchanged = entries.filter { !candidateNames.contains($0.spoke) }
        let chunks = stride(from: 0, to: jobs.count, by: Self.chunkSize).map { Array(jobs[$0..<min($0 + Self.chunkSize, jobs.count)]) }
        var outcome = Outcome(held: candidates.map(\.spoke).filter { !admittedNames.contains($0) })
        guard !jobs.isEmpty else {
            if !unchanged.isEmpty { try await store.commit([], entries: unchanged, keyId: keyId) }
            return outcome
        }
        let key = signingKey
        var current = try await Self.build(chunks[0], signingWith: key)
        for k in 1...chunks.count {
            async let next = k < chunks.count ? Self.build(chunks[k], signingWith: key) : []
            let recorded = current.compactMap { byName[$0.spoke] } + unchanged
            unchanged = []
            let started = ContinuousClock.now
            try await store.commit(current, entries: recorded, keyId: keyId)
            let committed = ContinuousClock.now
            handOver(current)
            let handed = ContinuousClock.now
            outcome.published += current
            current = try await next
            logger.debug(
                "chunk published",
                metadata: [
                    "chunk": "\(k)/\(chunks.count)", "commit": "\(committed - started)", "handOver": "\(handed - committed)",
                    "nextBuild": "\(ContinuousClock.now - handed)",
                ])
        }
        return outcome
    }

    /// Signs and encodes one chunk on every core.
    static func build(_ chunk: [EnvelopeBatch.Job], signingWith key: SigningKey?) async throws -> [HubStore.Publication] {
        let envelopes = try await BlockingPool.run { try EnvelopeBatch.build(chunk, signingWith: key) }
        return zip(chunk, envelopes).map { HubStore.Publication(spoke: $0.spoke, generation: $0.generation, envelope: $1) }
    }

    /// Publishes every current envelope again: the broker may have lost retained messages
    /// (restart without persistence, or a crash losing what arrived since its last autosave).
    public func republishAll() async {
        do {
            let all = try await store.publications()
            logger.info("republishing retained bundles", metadata: ["count": "\(all.count)"])
            handOver(all)
        } catch {
            logger.error("cannot read publications", metadata: ["error": "\(error)"])
        }
    }

    /// Clears every retained message of spokes that left the inventory: the bundle (which may
    /// hold Secrets), the ack and the presence, so nothing of them stays on the broker.
    public func clear(_ spokes: [String]) {
        for spoke in spokes {
            lastHandedOver[spoke] = nil
            logger.info("spoke left the inventory; clearing its retained bundle, ack and presence", metadata: ["spoke": "\(spoke)"])
            for topic in [topics.desired(spoke), topics.ack(spoke), topics.presence(spoke)] {
                try? sink.sendRetained(topic: topic, payload: [])
            }
        }
    }

    /// Answers an agent that refused a bundle as older than the `generation` it holds: the
    /// current envelope again (a replay), or inside the recovery window the same content
    /// above the agent's generation (this hub lost its database).
    public func reassert(spoke: String, above generation: Int64, mayReissue: Bool) async {
        guard generation >= 1, generation < WireLimits.maxCounter else { return }
        do {
            guard let current = try await store.currentPublication(spoke: spoke) else { return }
            if current.generation >= generation {
                logger.notice(
                    "agent refused a replayed bundle; publishing the current one again",
                    metadata: ["spoke": "\(spoke)", "generation": "\(current.generation)"])
                handOver([current])
                return
            }
            guard mayReissue else {
                logger.warning(
                    "refused report claims a stored generation above what this hub published, outside the recovery window; ignored",
                    metadata: ["spoke": "\(spoke)", "field": "storedGeneration", "value": "\(generation)"])
                return
            }
            let key = signingKey
            let next = generation + 1
            let envelope = try await BlockingPool.run {
                let old = try Envelope.decode(current.envelope, trustedKeys: [], maxBytes: Int.max)
                return try Envelope(spoke: spoke, generation: next, payload: old.payload).encode(signingWith: key)
            }
            guard try await store.reissue(spoke: spoke, from: current.generation, to: next, envelope: envelope, keyId: keyId) else {
                return
            }
            logger.notice(
                "agent holds a newer generation than this hub; re-issuing the bundle above it",
                metadata: ["spoke": "\(spoke)", "generation": "\(next)"])
            handOver([HubStore.Publication(spoke: spoke, generation: next, envelope: envelope)])
        } catch {
            logger.error("cannot re-issue bundle", metadata: ["spoke": "\(spoke)", "error": "\(error)"])
        }
    }

    /// Hands envelopes to the connection in order, never one older than what was already handed
    /// over for that spoke (a republish racing a reload must not bring back an old bundle).
    /// libmosquitto keeps them until the broker PUBACKs, across reconnects; nothing waits here,
    /// so a reload never stalls on a slow or absent broker.
    private func handOver(_ publications: [HubStore.Publication]) {
        var sent = 0
        for p in publications {
            if let last = lastHandedOver[p.spoke], last > p.generation { continue }
            do {
                try sink.sendRetained(topic: topics.desired(p.spoke), payload: p.envelope)
                lastHandedOver[p.spoke] = p.generation
                sent += 1
            } catch {
                logger.error("cannot publish bundle", metadata: ["spoke": "\(p.spoke)", "error": "\(error)"])
            }
        }
        publishedCounter.increment(by: sent)
    }
}
