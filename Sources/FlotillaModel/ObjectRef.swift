/// The identity of a Kubernetes object: API group, kind, namespace and name.
///
/// Two source objects with the same identity are an error; bundles are sorted by it.
public struct ObjectRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var apiVersion: String
    public var kind: String
    /// Empty for cluster-scoped objects. Once the source is classified, a namespaced object
    /// written without one is in `default` (``FleetSource/defaultNamespace``).
    public var namespace: String
    public var name: String

    public init(apiVersion: String, kind: String, namespace: String, name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// The API group: `apps` for `apps/v1`, `""` for the core group (`v1`).
    public var group: String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    public var description: String {
        let g = group.isEmpty ? "" : ".\(group)"
        return namespace.isEmpty ? "\(kind)\(g)/\(name)" : "\(kind)\(g)/\(namespace)/\(name)"
    }

    public static func < (a: ObjectRef, b: ObjectRef) -> Bool {
        (a.group, a.kind, a.namespace, a.name) < (b.group, b.kind, b.namespace, b.name)
    }
}

extension ObjectRef {
    /// The canonical JSON of a list of identities, each `{"apiVersion","kind","name","namespace"}`
    /// (sorted keys): what the hub stores per spoke, written straight to bytes because a change
    /// of every bundle writes thousands of these lists.
    public static func canonicalJSON(_ refs: [ObjectRef]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(refs.count * 96)
        for (i, r) in refs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"apiVersion":"#.utf8)
            Value.writeJSONString(r.apiVersion, into: &out)
            out.append(contentsOf: #","kind":"#.utf8)
            Value.writeJSONString(r.kind, into: &out)
            out.append(contentsOf: #","name":"#.utf8)
            Value.writeJSONString(r.name, into: &out)
            out.append(contentsOf: #","namespace":"#.utf8)
            Value.writeJSONString(r.namespace, into: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return out
    }
}
