import Foundation

/// The desired state of a fleet, classified: workload objects, policies, custom transforms,
/// inventory and the facts placement needs (namespace labels, resource plurals). Built from raw
/// source objects by ``FleetSource/classify(_:)``, which validates everything in one pass.
/// Only ``workloads`` can ever reach a bundle.
public struct FleetSource: Sendable {
    public var workloads: [ManifestObject]
    public var policies: [BindingPolicy]
    public var spokes: [Spoke]
    /// Labels of every Namespace object in the source, by name; a namespace without an entry has
    /// no Namespace object (and so passes no non-empty namespace selector).
    public var namespaceLabels: [String: [String: String]]
    public var resourceNames: ResourceNames
    /// Sorted by name.
    public var customTransforms: [CustomTransform]

    public init(
        workloads: [ManifestObject] = [], policies: [BindingPolicy] = [], spokes: [Spoke] = [],
        namespaceLabels: [String: [String: String]] = [:], resourceNames: ResourceNames = ResourceNames(),
        customTransforms: [CustomTransform] = []
    ) {
        self.customTransforms = customTransforms
        self.workloads = workloads
        self.policies = policies
        self.spokes = spokes
        self.namespaceLabels = namespaceLabels
        self.resourceNames = resourceNames
    }

    /// The namespace that holds per-spoke customisation ConfigMaps.
    public static let propertiesNamespace = "customization-properties"

    /// The lowercase plural resource name downsync clauses and custom transforms test for `ref`.
    public func resource(of ref: ObjectRef) -> String {
        resourceNames.plural(group: ref.group, kind: ref.kind)
    }

    /// The labels of `ref`'s Namespace; `nil` for a cluster-scoped object or a namespace with no
    /// Namespace object in the source.
    public func namespaceLabels(of ref: ObjectRef) -> [String: String]? {
        ref.namespace.isEmpty ? nil : namespaceLabels[ref.namespace]
    }

    /// The custom transforms that apply to objects of `ref`'s group and resource, in name order.
    public func transforms(for ref: ObjectRef) -> [CustomTransform] {
        guard !customTransforms.isEmpty else { return [] }
        let resource = resource(of: ref)
        return customTransforms.filter { $0.applies(group: ref.group, resource: resource) }
    }

    /// Sorts raw objects into policies, transforms, inventory and workloads, collecting every error.
    ///
    /// Inventory (`cluster.open-cluster-management.io` ManagedCluster, `flotilla.io` Spoke),
    /// property ConfigMaps (namespace `customization-properties`), BindingPolicies and
    /// CustomTransforms never become workloads. Every object gets the namespace an API server
    /// gives it (``scoped(_:names:)``): `default` for a namespaced kind written without one, none
    /// for a cluster-scoped kind; the CustomResourceDefinitions in the source decide the scope and
    /// plural of their kinds, wherever they are in it.
    /// - Throws: ``SourceErrors`` listing every problem found (names and namespaces Kubernetes
    ///   refuses for the kind, duplicates, bad policies, bad spokes), each naming file, line,
    ///   object and field.
    public static func classify(_ objects: [ManifestObject]) throws(SourceErrors) -> FleetSource {
        var errors: [SourceError] = []
        var seen: [ObjectRef: SourceLocation] = [:]
        var fleet = FleetSource()
        var properties: [String: [String: String]] = [:]
        var spokeOrigins: [String: SourceLocation] = [:]
        for obj in objects where (obj.ref.group, obj.ref.kind) == ("apiextensions.k8s.io", "CustomResourceDefinition") {
            registerDefinition(obj, into: &fleet.resourceNames, errors: &errors)
        }
        for written in objects {
            let obj = scoped(written, names: fleet.resourceNames)
            let nameErrors = nameErrors(of: obj)
            guard nameErrors.isEmpty else {
                errors += nameErrors
                continue
            }
            var identity = obj.ref
            identity.apiVersion = identity.group
            if let first = seen[identity] {
                errors.append(
                    SourceError(
                        location: obj.origin, object: obj.ref.description,
                        message: "duplicate object: \(obj.ref) is also defined at \(first)"))
                continue
            }
            seen[identity] = obj.origin
            switch (obj.ref.group, obj.ref.kind) {
            case ("control.kubestellar.io", BindingPolicy.kind):
                if let p = BindingPolicy.parse(obj, errors: &errors) { fleet.policies.append(p) }
            case ("control.kubestellar.io", CustomTransform.kind):
                if let t = CustomTransform.parse(obj, errors: &errors) { fleet.customTransforms.append(t) }
            case _ where isInventory(obj.ref):
                if let spoke = parseSpoke(obj, origins: &spokeOrigins, errors: &errors) { fleet.spokes.append(spoke) }
            case ("", "ConfigMap") where obj.ref.namespace == propertiesNamespace:
                properties[obj.ref.name] = parseProperties(obj, errors: &errors)
            case ("", "Namespace"):
                fleet.namespaceLabels[obj.ref.name] = obj.labels
                fleet.workloads.append(obj)
            default:
                fleet.workloads.append(obj)
            }
        }
        for i in fleet.spokes.indices {
            fleet.spokes[i].properties = properties[fleet.spokes[i].name] ?? [:]
        }
        fleet.spokes.sort { $0.name < $1.name }
        fleet.policies.sort { $0.name < $1.name }
        fleet.customTransforms.sort { $0.name < $1.name }
        fleet.workloads.sort { $0.ref < $1.ref }
        guard errors.isEmpty else { throw SourceErrors(errors) }
        return fleet
    }

    static func parseSpoke(
        _ obj: ManifestObject, origins: inout [String: SourceLocation], errors: inout [SourceError]
    ) -> Spoke? {
        let name = obj.ref.name
        func fail(_ field: String, _ message: String) {
            errors.append(SourceError(location: obj.origin, object: obj.ref.description, field: field, message: message))
        }
        if !obj.ref.namespace.isEmpty {
            fail("metadata.namespace", "\(obj.ref.kind) is cluster-scoped; remove the namespace")
            return nil
        }
        guard Spoke.isValidName(name) else {
            fail(
                "metadata.name",
                "spoke name \"\(name)\" must be a DNS-1123 label and MQTT topic level (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)")
            return nil
        }
        if let other = origins[name] {
            fail("metadata.name", "spoke \"\(name)\" is already defined at \(other)")
            return nil
        }
        origins[name] = obj.origin
        return Spoke(name: name, labels: obj.labels, annotations: obj.annotations, origin: obj.origin)
    }

    /// A property ConfigMap's `data` and base64-decoded `binaryData`. Keys that are not Go
    /// identifiers are kept here and ignored by templates, as KubeStellar ignores them.
    static func parseProperties(_ obj: ManifestObject, errors: inout [SourceError]) -> [String: String] {
        func fail(_ field: String, _ message: String) {
            errors.append(SourceError(location: obj.origin, object: obj.ref.description, field: field, message: message))
        }
        var out: [String: String] = [:]
        if let d = obj.tree["data"], d != .null {
            if case .object(let data) = d {
                for k in data.keys.sorted() {
                    if let s = data[k]!.stringValue { out[k] = s } else {
                        fail("data.\(k)", "must be a string, found \(data[k]!.kindDescription) (quote it)")
                    }
                }
            } else {
                fail("data", "must be a map of strings, found \(d.kindDescription)")
            }
        }
        if let b = obj.tree["binaryData"], b != .null {
            if case .object(let data) = b {
                for k in data.keys.sorted() {
                    guard let s = data[k]!.stringValue, let bytes = Data(base64Encoded: s) else {
                        fail("binaryData.\(k)", "must be a base64 string")
                        continue
                    }
                    if out[k] != nil {
                        fail("binaryData.\(k)", "key \"\(k)\" is also in data; Kubernetes refuses a key in both")
                        continue
                    }
                    out[k] = String(decoding: bytes, as: UTF8.self)
                }
            } else {
                fail("binaryData", "must be a map of base64 strings, found \(b.kindDescription)")
            }
        }
        return out
    }
}
