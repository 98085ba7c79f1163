import FlotillaModel
/// The protocol's bounds. Numbers stay within what every JSON implementation represents
/// exactly (2^53 − 1), so arithmetic on them can never overflow an `Int64`.
public enum WireLimits {
    /// Highest sequence number and generation the protocol allows.
    public static let maxCounter: Int64 = (1 << 53) - 1
    /// Longest epoch, in characters.
    public static let maxEpochLength = 64
    /// Default limit on one status report's payload; larger ones are dropped unacknowledged.
    public static let defaultMaxReportBytes = 256 * 1024
    /// The broker's `max_packet_size` as `flotilla broker init` and broker-config/ set it: no MQTT
    /// packet, so no envelope, is larger. The agents' default bundle limit.
    public static let maxPacketBytes = 4 << 20
    /// Room kept between the hub's payload limit and the packet limit: the envelope header (at
    /// most 16 KiB), lengths and signature, deflate's worst case on incompressible data (about
    /// 0.03 %), and the topic and properties of the PUBLISH.
    public static let envelopeHeadroom = 64 << 10
    /// The hub's default limit on a bundle's uncompressed payload: its envelope always fits the
    /// broker's packet limit and the agents' default limit.
    public static let defaultHubBundleBytes = maxPacketBytes - envelopeHeadroom

    /// An epoch is 1–64 characters from `[A-Za-z0-9._-]` (agents use a lowercase UUID).
    public static func isValidEpoch(_ epoch: String) -> Bool {
        let utf8 = epoch.utf8
        guard !utf8.isEmpty, utf8.count <= maxEpochLength else { return false }
        return utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x2D
        }
    }

    static func checkEpoch(_ epoch: String?, field: String = "epoch") throws(WireRefusal) {
        guard let epoch, !isValidEpoch(epoch) else { return }
        throw WireRefusal(field: field, reason: "must be 1–\(maxEpochLength) characters of [A-Za-z0-9._-]")
    }

    static func check(_ value: Int64?, field: String, min: Int64) throws(WireRefusal) {
        guard let value else { return }
        guard value >= min, value <= maxCounter else {
            throw WireRefusal(field: field, reason: "\(value) is outside \(min)…\(maxCounter)")
        }
    }
}
