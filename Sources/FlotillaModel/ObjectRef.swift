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
