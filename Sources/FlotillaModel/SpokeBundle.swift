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

    /// Decodes a payload; total: any byte string gives a bundle or an error, never a crash.
    /// - Throws: ``EnvelopeError/malformed(_:)`` for a payload that is not a list of objects,
    ///   ``EnvelopeError/invalidName(_:)`` when an object's name or namespace breaks its kind's
    ///   rule in ``KubernetesName`` (which also rules out `/`, NUL, newlines, `.` and `..`).
    public static func decode(payload: [UInt8]) throws(EnvelopeError) -> SpokeBundle {
        let tree: Value
        do {
            tree = try JSONDecoder().decode(Value.self, from: Data(payload))
        } catch {
            throw .malformed("bundle payload is not JSON")
        }
        guard case .array(let objs)? = tree.objectValue?["objects"] else {
            throw .malformed("bundle payload has no objects list")
        }
        var items: [Item] = []
        for (i, o) in objs.enumerated() {
            guard case .object(let item) = o, case .object(let obj)? = item["object"],
                let apiVersion = obj["apiVersion"]?.stringValue, let kind = obj["kind"]?.stringValue,
                let name = obj["metadata"]?.objectValue?["name"]?.stringValue
            else { throw .malformed("bundle item \(i) lacks apiVersion, kind or metadata.name") }
            let ns = obj["metadata"]?.objectValue?["namespace"]?.stringValue ?? ""
            let ref = ObjectRef(apiVersion: apiVersion, kind: kind, namespace: ns, name: name)
            // The hub never produces such a name; refusing it here keeps a stolen key or a hub
            // bug from reaching the applier, which turns names into file names.
            if let violation = KubernetesName.violations(of: ref).first {
                throw .invalidName("bundle item \(i) \(KubernetesName.escaped(ref.description)): \(violation)")
            }
            items.append(
                Item(
                    ref: ref, object: obj,
                    createOnly: item["createOnly"]?.boolValue ?? false,
                    wantSingletonReportedState: item["singleton"]?.boolValue ?? false))
        }
        return SpokeBundle(items: items)
    }
}
