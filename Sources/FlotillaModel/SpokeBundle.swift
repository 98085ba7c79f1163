import Crypto
import Foundation

/// What one spoke must run: its objects, each with the flags its policies set.
public struct SpokeBundle: Sendable, Hashable {
    public struct Item: Sendable, Hashable {
        public var ref: ObjectRef
        public var object: [String: Value]
        /// Create the object if absent, never update it afterwards.
        public var createOnly: Bool
        /// A policy wants this object's single reported state back.
        public var wantSingletonReportedState: Bool

        public init(ref: ObjectRef, object: [String: Value], createOnly: Bool = false, wantSingletonReportedState: Bool = false) {
            self.ref = ref
            self.object = object
            self.createOnly = createOnly
            self.wantSingletonReportedState = wantSingletonReportedState
        }

        /// The item's canonical bytes; keys in sorted order so concatenation stays canonical.
        public var canonicalJSON: [UInt8] {
            Self.encode(objectJSON: Value.object(object).canonicalJSON, createOnly: createOnly, singleton: wantSingletonReportedState)
        }

        static func encode(objectJSON: [UInt8], createOnly: Bool, singleton: Bool) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(objectJSON.count + 48)
            out.append(contentsOf: #"{"createOnly":"#.utf8)
            out.append(contentsOf: (createOnly ? "true" : "false").utf8)
            out.append(contentsOf: #","object":"#.utf8)
            out.append(contentsOf: objectJSON)
            out.append(contentsOf: #","singleton":"#.utf8)
            out.append(contentsOf: (singleton ? "true" : "false").utf8)
            out.append(UInt8(ascii: "}"))
            return out
        }
    }

    /// Sorted by ``ObjectRef``.
    public var items: [Item]

    public init(items: [Item]) { self.items = items.sorted { $0.ref < $1.ref } }

    /// The canonical payload: `{"objects":[item,…]}`.
    public var payload: [UInt8] { Self.payload(itemJSON: items.map(\.canonicalJSON)) }

    static func payload(itemJSON: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = Array(#"{"objects":["#.utf8)
        out.reserveCapacity(itemJSON.reduce(16) { $0 + $1.count + 1 })
        for (i, item) in itemJSON.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// Hex SHA-256 of a payload: the bundle's content hash, independent of its generation.
    public static func hash(ofPayload payload: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: payload))
    }
}
