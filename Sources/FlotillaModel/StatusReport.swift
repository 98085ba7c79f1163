import Crypto
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

    /// Decodes and checks a report from the wire: size first (before any parsing), then
    /// shape, then every bound of the protocol.
    /// - Throws: ``WireRefusal`` naming the field at fault.
    public static func parse(_ bytes: [UInt8], maxBytes: Int = WireLimits.defaultMaxReportBytes) throws(WireRefusal) -> StatusReport {
        guard bytes.count <= maxBytes else {
            throw WireRefusal(field: "payload", reason: "\(bytes.count) bytes, over the limit of \(maxBytes)")
        }
        let report: StatusReport
        do {
            report = try JSONDecoder().decode(StatusReport.self, from: Data(bytes))
        } catch {
            throw WireRefusal.decoding(error)
        }
        try report.validate()
        return report
    }

    /// Checks the protocol's bounds on every number and the epoch's format.
    public func validate() throws(WireRefusal) {
        guard WireLimits.isValidEpoch(epoch) else {
            throw WireRefusal(field: "epoch", reason: "must be 1–\(WireLimits.maxEpochLength) characters of [A-Za-z0-9._-]")
        }
        try WireLimits.check(seq, field: "seq", min: 1)
        try WireLimits.check(generation, field: "generation", min: 1)
        try WireLimits.check(storedGeneration, field: "storedGeneration", min: 1)
        guard time.isFinite else { throw WireRefusal(field: "time", reason: "must be a finite number") }
    }

    /// What this project's agent keeps its reports under: the hub's default limit less room
    /// for a hub configured a little lower.
    public static let agentMaxBytes = WireLimits.defaultMaxReportBytes - 16 * 1024

    /// The report, shortened to fit `maxBytes`: a huge bundle's per-object list is cut (failed
    /// objects kept first) and the message says how many were left out, so the report still
    /// travels instead of being refused for ever and blocking the outbox behind it.
    public func fitted(maxBytes: Int) -> StatusReport {
        guard encoded().count > maxBytes else { return self }
        var out = self
        if let message, message.utf8.count > 4096 {
            out.message = String(decoding: message.utf8.prefix(4096), as: UTF8.self) + "…"
        }
        guard let objects, !objects.isEmpty else { return out }
        let ordered = objects.filter { $0.state == .failed } + objects.filter { $0.state != .failed }
        // Halve until it fits, then grow back: a handful of encodings, not one per object.
        var keep = ordered.count
        func trial(_ n: Int) -> StatusReport {
            var r = out
            r.objects = Array(ordered.prefix(n))
            let note = "\(ordered.count - n) of \(ordered.count) objects omitted to fit the report limit"
            r.message = [out.message, note].compactMap { $0 }.joined(separator: "; ")
            return r
        }
        while keep > 0, trial(keep).encoded().count > maxBytes { keep /= 2 }
        var step = max(1, keep / 2)
        while step > 0 {
            if keep + step <= ordered.count, trial(keep + step).encoded().count <= maxBytes { keep += step } else { step /= 2 }
        }
        return trial(keep)
    }

    /// The dedup key's companion: lowercase hex SHA-256 of a report's payload exactly as sent.
    /// The same key with another digest is a collision, not a duplicate.
    public static func digest(of bytes: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: bytes))
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
    /// The digest of the report the hub stored at `seq`, when it still holds it: a spoke whose
    /// own report at `seq` has another digest is numbering a history the hub never saw.
    public var hash: String?
    /// Set when a report of this epoch collided with a stored one (same key, other content):
    /// the spoke must start a new epoch and renumber everything it has pending.
    public var newEpoch: Bool?

    public init(epoch: String, seq: Int64, hash: String? = nil, newEpoch: Bool? = nil) {
        self.epoch = epoch
        self.seq = seq
        self.hash = hash
        self.newEpoch = newEpoch
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

    /// Longest presence message accepted; it carries a few facts, never a list.
    public static let maxBytes = 4096

    /// Decodes and checks a presence message from the wire.
    /// - Throws: ``WireRefusal`` naming the field at fault.
    public static func parse(_ bytes: [UInt8]) throws(WireRefusal) -> Presence {
        guard bytes.count <= maxBytes else {
            throw WireRefusal(field: "payload", reason: "\(bytes.count) bytes, over the limit of \(maxBytes)")
        }
        let presence: Presence
        do {
            presence = try JSONDecoder().decode(Presence.self, from: Data(bytes))
        } catch {
            throw WireRefusal.decoding(error)
        }
        if let epoch = presence.epoch, !WireLimits.isValidEpoch(epoch) {
            throw WireRefusal(field: "epoch", reason: "must be 1–\(WireLimits.maxEpochLength) characters of [A-Za-z0-9._-]")
        }
        try WireLimits.check(presence.ackedSequence, field: "ackedSequence", min: 0)
        try WireLimits.check(presence.appliedGeneration, field: "appliedGeneration", min: 0)
        if let time = presence.time, !time.isFinite { throw WireRefusal(field: "time", reason: "must be a finite number") }
        return presence
    }
}
