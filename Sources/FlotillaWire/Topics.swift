import FlotillaModel
/// The topic tree of one fleet, under a configurable prefix (default `flotilla/v1`).
public struct Topics: Sendable, Hashable {
    public var prefix: String

    public init(prefix: String = "flotilla/v1") { self.prefix = prefix }

    /// Hub → spoke, retained: the signed bundle envelope.
    public func desired(_ spoke: String) -> String { "\(prefix)/spokes/\(spoke)/desired" }
    /// Spoke → hub: status reports.
    public func status(_ spoke: String) -> String { "\(prefix)/spokes/\(spoke)/status" }
    /// Hub → spoke, retained: the durably stored watermark.
    public func ack(_ spoke: String) -> String { "\(prefix)/spokes/\(spoke)/ack" }
    /// Spoke → all, retained: online with facts, offline as the last will.
    public func presence(_ spoke: String) -> String { "\(prefix)/spokes/\(spoke)/presence" }

    public var allStatus: String { "\(prefix)/spokes/+/status" }
    public var allPresence: String { "\(prefix)/spokes/+/presence" }
    public var allAcks: String { "\(prefix)/spokes/+/ack" }

    /// The channel and spoke a topic belongs to, or `nil` for a foreign topic.
    public func parse(_ topic: String) -> (spoke: String, channel: Channel)? {
        let head = "\(prefix)/spokes/"
        guard topic.hasPrefix(head) else { return nil }
        let rest = topic.dropFirst(head.count).split(separator: "/", omittingEmptySubsequences: false)
        guard rest.count == 2, let channel = Channel(rawValue: String(rest[1])), !rest[0].isEmpty else { return nil }
        return (String(rest[0]), channel)
    }

    public enum Channel: String, Sendable {
        case desired, status, ack, presence
    }
}
