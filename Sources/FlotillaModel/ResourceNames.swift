/// Maps an object's group and kind to the lowercase plural resource name that downsync clauses
/// test (`Deployment` → `deployments`). Built-in kinds are known; custom kinds come from the
/// CustomResourceDefinitions in the source.
public struct ResourceNames: Sendable {
    /// Irregular plurals of Kubernetes' built-in kinds; the rest add `s` to the lowercase kind.
    static let irregular: [String: String] = [
        "endpoints": "endpoints", "ingress": "ingresses", "networkpolicy": "networkpolicies",
        "podsecuritypolicy": "podsecuritypolicies", "priorityclass": "priorityclasses",
        "storageclass": "storageclasses", "runtimeclass": "runtimeclasses", "ingressclass": "ingressclasses",
        "resourcequota": "resourcequotas", "endpointslice": "endpointslices",
        "poddisruptionbudget": "poddisruptionbudgets", "componentstatus": "componentstatuses",
        "volumeattachment": "volumeattachments", "csistoragecapacity": "csistoragecapacities",
        "gatewayclass": "gatewayclasses", "ippool": "ippools", "policy": "policies",
    ]

    /// `group/kind` → plural, from CRDs.
    var custom: [String: String]

    public init(custom: [String: String] = [:]) { self.custom = custom }

    /// Registers a custom kind (from a CRD's `spec.group`, `spec.names.kind`, `spec.names.plural`).
    public mutating func register(group: String, kind: String, plural: String) {
        custom["\(group)/\(kind)"] = plural
    }

    public func plural(group: String, kind: String) -> String {
        if let p = custom["\(group)/\(kind)"] { return p }
        let lower = kind.lowercased()
        if let p = Self.irregular[lower] { return p }
        if lower.hasSuffix("s") || lower.hasSuffix("x") || lower.hasSuffix("ch") || lower.hasSuffix("sh") {
            return lower + "es"
        }
        if lower.hasSuffix("y"), let before = lower.dropLast().last, !"aeiou".contains(before) {
            return lower.dropLast() + "ies"
        }
        return lower + "s"
    }
}
