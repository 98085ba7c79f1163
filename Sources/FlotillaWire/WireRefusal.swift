import FlotillaModel
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

    /// Decodes a wire message of at most `maxBytes`: the size is checked before any parsing,
    /// and a decoding failure becomes a refusal naming the field.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], maxBytes: Int) throws(WireRefusal) -> T {
        guard bytes.count <= maxBytes else {
            throw WireRefusal(field: "payload", reason: "\(bytes.count) bytes, over the limit of \(maxBytes)")
        }
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw decoding(error)
        }
    }

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
