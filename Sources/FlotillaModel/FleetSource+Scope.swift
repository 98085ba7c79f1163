extension FleetSource {
    /// The namespace of a namespaced object written without one, as `kubectl apply` and the API
    /// server give it.
    public static let defaultNamespace = "default"

    /// Why `ref` is never placed (``DeliveryExclusion``); `nil` when policies may place it.
    public func deliveryExclusion(of ref: ObjectRef) -> String? {
        DeliveryExclusion.reason(group: ref.group, resource: resource(of: ref))
    }

    /// `obj` with the namespace a Kubernetes API server gives it, in its identity and its tree:
    /// `default` for a namespaced kind written without one (what `kubectl apply` does), none for
    /// a cluster-scoped kind (the API server drops it). Kinds of unknown scope (a custom kind
    /// whose CRD is not in the source), inventory and KubeStellar's control objects (which refuse a
    /// namespace) are returned as written.
    static func scoped(_ obj: ManifestObject, names: ResourceNames) -> ManifestObject {
        let ref = obj.ref
        guard !isInventory(ref), ref.group != "control.kubestellar.io",
            let scope = names.scope(group: ref.group, kind: ref.kind)
        else { return obj }
        let namespace: String
        switch scope {
        case .namespaced:
            guard ref.namespace.isEmpty else { return obj }
            namespace = defaultNamespace
        case .cluster:
            guard !ref.namespace.isEmpty else { return obj }
            namespace = ""
        }
        var out = obj
        out.ref.namespace = namespace
        if case .object(var meta)? = out.tree["metadata"] {
            meta["namespace"] = namespace.isEmpty ? nil : .string(namespace)
            out.tree["metadata"] = .object(meta)
        }
        return out
    }

    /// Registers a CustomResourceDefinition's plural and scope, or appends why it cannot.
    static func registerDefinition(_ obj: ManifestObject, into names: inout ResourceNames, errors: inout [SourceError]) {
        let spec = obj.tree["spec"]
        guard let group = spec?[["group"]]?.stringValue, let kind = spec?[["names", "kind"]]?.stringValue,
            let plural = spec?[["names", "plural"]]?.stringValue, !plural.isEmpty
        else {
            errors.append(
                SourceError(
                    location: obj.origin, object: obj.ref.description, field: "spec",
                    message: "a CustomResourceDefinition needs spec.group, spec.names.kind and spec.names.plural (strings)"))
            return
        }
        guard let text = spec?[["scope"]]?.stringValue, let scope = ResourceNames.Scope(rawValue: text) else {
            let found = spec?[["scope"]].map { $0.stringValue.map { "\"\($0)\"" } ?? $0.kindDescription } ?? "nothing"
            errors.append(
                SourceError(
                    location: obj.origin, object: obj.ref.description, field: "spec.scope",
                    message: "must be Cluster or Namespaced, found \(found)"))
            return
        }
        names.register(group: group, kind: kind, plural: plural, scope: scope)
    }
}
