import Foundation

/// Why a message from the wire was refused: the field at fault and what is wrong with it.
/// Refusals are logged naming the spoke, so an operator can find the sender.
public struct WireRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// The offending field (`seq`, `objects[3].name`, …), or `payload` for the message as a whole.
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }

    /// A readable refusal from a JSON decoding failure, naming the field path where there is one.
    static func decoding(_ error: any Error) -> WireRefusal {
        guard let error = error as? DecodingError else { return WireRefusal(field: "payload", reason: "not valid JSON") }
        func path(_ keys: [any CodingKey]) -> String {
            var out = ""
            for k in keys {
                if let i = k.intValue { out += "[\(i)]" } else { out += (out.isEmpty ? "" : ".") + k.stringValue }
            }
            return out
        }
        switch error {
        case .keyNotFound(let key, let context):
            return WireRefusal(field: path(context.codingPath + [key]), reason: "required field is missing")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return WireRefusal(field: path(context.codingPath).isEmpty ? "payload" : path(context.codingPath), reason: "wrong type or out of range")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            return field.isEmpty
                ? WireRefusal(field: "payload", reason: "not valid JSON")
                : WireRefusal(field: field, reason: "invalid value")
        @unknown default:
            return WireRefusal(field: "payload", reason: "not valid JSON")
        }
    }
}

/// The protocol's bounds. Numbers stay within what every JSON implementation represents
/// exactly (2^53 − 1), so arithmetic on them can never overflow an `Int64`.
public enum WireLimits {
    /// Highest sequence number and generation the protocol allows.
    public static let maxCounter: Int64 = (1 << 53) - 1
    /// Longest epoch, in characters.
    public static let maxEpochLength = 64
    /// Default limit on one status report's payload; larger ones are dropped unacknowledged.
    public static let defaultMaxReportBytes = 256 * 1024

    /// An epoch is 1–64 characters from `[A-Za-z0-9._-]` (agents use a lowercase UUID).
    public static func isValidEpoch(_ epoch: String) -> Bool {
        let utf8 = epoch.utf8
        guard !utf8.isEmpty, utf8.count <= maxEpochLength else { return false }
        return utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F || c == 0x2D
        }
    }

    static func check(_ value: Int64?, field: String, min: Int64) throws(WireRefusal) {
        guard let value else { return }
        guard value >= min, value <= maxCounter else {
            throw WireRefusal(field: field, reason: "\(value) is outside \(min)…\(maxCounter)")
        }
    }
}
