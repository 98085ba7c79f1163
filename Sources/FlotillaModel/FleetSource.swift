/// The desired state of a fleet, classified: workload objects, policies, inventory and the
/// facts placement needs (namespace labels, resource plurals). Built from raw source objects
/// by ``FleetSource/classify(_:)``, which validates everything in one pass.
public struct FleetSource: Sendable {
    public var workloads: [ManifestObject]
    public var policies: [BindingPolicy]
    public var spokes: [Spoke]
    public var namespaceLabels: [String: [String: String]]
    public var resourceNames: ResourceNames

    public init(
        workloads: [ManifestObject] = [], policies: [BindingPolicy] = [], spokes: [Spoke] = [],
        namespaceLabels: [String: [String: String]] = [:], resourceNames: ResourceNames = ResourceNames()
    ) {
        self.workloads = workloads
        self.policies = policies
        self.spokes = spokes
        self.namespaceLabels = namespaceLabels
        self.resourceNames = resourceNames
    }

    /// The namespace that holds per-spoke customisation ConfigMaps.
    public static let propertiesNamespace = "customization-properties"

    /// Sorts raw objects into policies, inventory and workloads, collecting every error.
    /// - Throws: ``SourceErrors`` listing every problem found (duplicates, bad policies, bad spokes).
    public static func classify(_ objects: [ManifestObject]) throws(SourceErrors) -> FleetSource {
        var errors: [SourceError] = []
        var seen: [ObjectRef: SourceLocation] = [:]
        var fleet = FleetSource()
        var properties: [String: [String: String]] = [:]
        var spokeOrigins: [String: SourceLocation] = [:]
        for obj in objects {
            var identity = obj.ref
            identity.apiVersion = identity.group
            if let first = seen[identity] {
                errors.append(
                    SourceError(
                        location: obj.origin, object: obj.ref.description,
                        message: "duplicate object: also defined at \(first)"))
                continue
            }
            seen[identity] = obj.origin
            switch (obj.ref.group, obj.ref.kind) {
            case ("control.kubestellar.io", "BindingPolicy"):
                if let p = BindingPolicy.parse(obj, errors: &errors) { fleet.policies.append(p) }
            case ("cluster.open-cluster-management.io", "ManagedCluster"), ("flotilla.io", "Spoke"):
                let name = obj.ref.name
                guard Spoke.isValidName(name) else {
                    errors.append(
                        SourceError(
                            location: obj.origin, object: obj.ref.description, field: "metadata.name",
                            message: "spoke name \"\(name)\" must be a DNS-1123 label (lowercase letters, digits, '-'; at most 63)"))
                    continue
                }
                if let other = spokeOrigins[name] {
                    errors.append(
                        SourceError(
                            location: obj.origin, object: obj.ref.description, field: "metadata.name",
                            message: "spoke \"\(name)\" is already defined at \(other)"))
                    continue
                }
                spokeOrigins[name] = obj.origin
                fleet.spokes.append(
                    Spoke(name: name, labels: obj.labels, annotations: obj.annotations, origin: obj.origin))
            case ("", "ConfigMap") where obj.ref.namespace == propertiesNamespace:
                properties[obj.ref.name] = ManifestObject.stringMap(obj.tree["data"])
                    .merging(ManifestObject.stringMap(obj.tree["binaryData"])) { data, _ in data }
            case ("apiextensions.k8s.io", "CustomResourceDefinition"):
                let spec = obj.tree["spec"]
                if let group = spec?[["group"]]?.stringValue, let kind = spec?[["names", "kind"]]?.stringValue,
                    let plural = spec?[["names", "plural"]]?.stringValue
                {
                    fleet.resourceNames.register(group: group, kind: kind, plural: plural)
                }
                fleet.workloads.append(obj)
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
        fleet.workloads.sort { $0.ref < $1.ref }
        guard errors.isEmpty else { throw SourceErrors(errors) }
        return fleet
    }
}
