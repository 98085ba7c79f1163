import FlotillaModel
import Foundation

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
        let presence = try WireRefusal.decode(Presence.self, from: bytes, maxBytes: maxBytes)
        try WireLimits.checkEpoch(presence.epoch)
        try WireLimits.check(presence.ackedSequence, field: "ackedSequence", min: 0)
        try WireLimits.check(presence.appliedGeneration, field: "appliedGeneration", min: 0)
        if let time = presence.time, !time.isFinite { throw WireRefusal(field: "time", reason: "must be a finite number") }
        return presence
    }
}
