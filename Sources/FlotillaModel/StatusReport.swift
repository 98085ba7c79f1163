import Foundation

/// One report on `…/status`: numbered per spoke and agent database (`epoch`), so the hub can
/// store each exactly once and acknowledge a contiguous watermark.
public struct StatusReport: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, Hashable {
        /// A bundle was stored by the agent (before apply).
        case received
        /// The applier ran the bundle; see `objects`.
        case applied
        /// The applier failed; see `message` and `objects`.
        case failed
        /// A bundle was refused (bad signature, replay, wrong spoke, too large…).
        case refused
        /// Anything else worth telling the hub (start-up, drift corrected).
        case event
    }

    /// Per-spoke sequence number, starting at 1, never reused within an epoch.
    public var seq: Int64
    /// Identifies the agent database the sequence belongs to (new database, new numbering).
    public var epoch: String
    public var kind: Kind
    public var generation: Int64?
    public var hash: String?
    public var message: String?
    public var objects: [ObjectStatus]?
    /// Seconds since 1970 when the agent created the report.
    public var time: Double
    /// With a refusal for staleness: the generation the agent holds. A hub that lost its
    /// database uses it to continue above it instead of being refused forever.
    public var storedGeneration: Int64?

    public init(
        seq: Int64, epoch: String, kind: Kind, generation: Int64? = nil, hash: String? = nil, message: String? = nil,
        objects: [ObjectStatus]? = nil, time: Double, storedGeneration: Int64? = nil
    ) {
        self.storedGeneration = storedGeneration
        self.seq = seq
        self.epoch = epoch
        self.kind = kind
        self.generation = generation
        self.hash = hash
        self.message = message
        self.objects = objects
        self.time = time
    }

    public func encoded() -> [UInt8] {
        (try? Value(encodable: self).canonicalJSON) ?? []
    }

    /// Total decoding: malformed bytes give `nil`, never a crash.
    public static func decode(_ bytes: [UInt8]) -> StatusReport? {
        try? JSONDecoder().decode(StatusReport.self, from: Data(bytes))
    }
}

/// The outcome for one object of a bundle.
public struct ObjectStatus: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Codable, Hashable {
        case applied, unchanged, failed, removed
    }

    public var apiVersion: String
    public var kind: String
    public var namespace: String
    public var name: String
    public var state: State
    public var message: String?

    public init(ref: ObjectRef, state: State, message: String? = nil) {
        apiVersion = ref.apiVersion
        kind = ref.kind
        namespace = ref.namespace
        name = ref.name
        self.state = state
        self.message = message
    }

    public var ref: ObjectRef { ObjectRef(apiVersion: apiVersion, kind: kind, namespace: namespace, name: name) }
}

/// The hub's retained acknowledgement on `…/ack`: every report of `epoch` up to `seq` is stored.
public struct Ack: Sendable, Hashable, Codable {
    public var epoch: String
    public var seq: Int64

    public init(epoch: String, seq: Int64) {
        self.epoch = epoch
        self.seq = seq
    }

    public func encoded() -> [UInt8] { (try? Value(encodable: self).canonicalJSON) ?? [] }
    public static func decode(_ bytes: [UInt8]) -> Ack? { try? JSONDecoder().decode(Ack.self, from: Data(bytes)) }
}

/// A spoke's retained presence on `…/presence`.
public struct Presence: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Codable, Hashable { case online, offline }

    public var state: State
    public var agentVersion: String?
    public var applier: String?
    public var appliedGeneration: Int64?
    public var time: Double?
    /// The agent database's epoch and the highest sequence number a hub has acknowledged to
    /// it: every report up to there was stored by some hub, so a hub that lost its database
    /// can start its watermark there.
    public var epoch: String?
    public var ackedSequence: Int64?

    public init(
        state: State, agentVersion: String? = nil, applier: String? = nil, appliedGeneration: Int64? = nil, time: Double? = nil,
        epoch: String? = nil, ackedSequence: Int64? = nil
    ) {
        self.epoch = epoch
        self.ackedSequence = ackedSequence
        self.state = state
        self.agentVersion = agentVersion
        self.applier = applier
        self.appliedGeneration = appliedGeneration
        self.time = time
    }

    public func encoded() -> [UInt8] { (try? Value(encodable: self).canonicalJSON) ?? [] }
    public static func decode(_ bytes: [UInt8]) -> Presence? {
        try? JSONDecoder().decode(Presence.self, from: Data(bytes))
    }
}
