import FlotillaModel
import Foundation

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
