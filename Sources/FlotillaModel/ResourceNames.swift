/// Maps an object's group and kind to the lowercase plural resource name that downsync clauses
/// test (`Deployment` → `deployments`), and to its scope (namespaced or cluster-scoped).
/// Built-in kinds are known; custom kinds come from the CustomResourceDefinitions in the source.
public struct ResourceNames: Sendable {
    /// Whether objects of a kind live in a namespace.
    public enum Scope: String, Sendable, Hashable {
        case namespaced = "Namespaced"
        case cluster = "Cluster"
    }

    /// Irregular plurals of Kubernetes' built-in kinds; the rest add `s` to the lowercase kind.
    static let irregular: [String: String] = [
        "endpoints": "endpoints", "ingress": "ingresses", "networkpolicy": "networkpolicies",
        "podsecuritypolicy": "podsecuritypolicies", "priorityclass": "priorityclasses",
        "storageclass": "storageclasses", "runtimeclass": "runtimeclasses", "ingressclass": "ingressclasses",
        "resourcequota": "resourcequotas", "endpointslice": "endpointslices",
        "poddisruptionbudget": "poddisruptionbudgets", "componentstatus": "componentstatuses",
        "volumeattachment": "volumeattachments", "csistoragecapacity": "csistoragecapacities",
        "gatewayclass": "gatewayclasses", "ippool": "ippools", "policy": "policies",
        "volumeattributesclass": "volumeattributesclasses", "deviceclass": "deviceclasses",
    ]

    /// The API groups Kubernetes itself serves, whose every kind is listed below when it is
    /// cluster-scoped; any other kind of these groups is namespaced.
    static let builtInGroups: Set<String> = [
        "", "apps", "batch", "autoscaling", "policy", "admissionregistration.k8s.io", "apiextensions.k8s.io",
        "apiregistration.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "certificates.k8s.io",
        "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io",
        "internal.apiserver.k8s.io", "networking.k8s.io", "node.k8s.io", "rbac.authorization.k8s.io",
        "resource.k8s.io", "scheduling.k8s.io", "storage.k8s.io", "storagemigration.k8s.io",
    ]

    /// Cluster-scoped kinds, by `group/kind` (core group: `/kind`): every one of Kubernetes'
    /// built-in groups (`kubectl api-resources --namespaced=false`), plus the inventory and control
    /// kinds of Open Cluster Management and KubeStellar.
    static let clusterScoped: Set<String> = [
        "/Namespace", "/Node", "/PersistentVolume", "/ComponentStatus",
        "admissionregistration.k8s.io/MutatingWebhookConfiguration",
        "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
        "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
        "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
        "admissionregistration.k8s.io/MutatingAdmissionPolicy",
        "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
        "apiextensions.k8s.io/CustomResourceDefinition",
        "apiregistration.k8s.io/APIService",
        "authentication.k8s.io/TokenReview", "authentication.k8s.io/SelfSubjectReview",
        "authorization.k8s.io/SubjectAccessReview", "authorization.k8s.io/SelfSubjectAccessReview",
        "authorization.k8s.io/SelfSubjectRulesReview",
        "certificates.k8s.io/CertificateSigningRequest", "certificates.k8s.io/ClusterTrustBundle",
        "flowcontrol.apiserver.k8s.io/FlowSchema", "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
        "internal.apiserver.k8s.io/StorageVersion",
        "networking.k8s.io/IngressClass", "networking.k8s.io/IPAddress", "networking.k8s.io/ServiceCIDR",
        "node.k8s.io/RuntimeClass",
        "policy/PodSecurityPolicy",
        "rbac.authorization.k8s.io/ClusterRole", "rbac.authorization.k8s.io/ClusterRoleBinding",
        "resource.k8s.io/DeviceClass", "resource.k8s.io/ResourceSlice", "resource.k8s.io/DeviceTaintRule",
        "scheduling.k8s.io/PriorityClass",
        "storage.k8s.io/StorageClass", "storage.k8s.io/CSIDriver", "storage.k8s.io/CSINode",
        "storage.k8s.io/VolumeAttachment", "storage.k8s.io/VolumeAttributesClass",
        "storagemigration.k8s.io/StorageVersionMigration",
        "cluster.open-cluster-management.io/ManagedCluster", "cluster.open-cluster-management.io/ManagedClusterSet",
        "control.kubestellar.io/BindingPolicy", "control.kubestellar.io/Binding",
        "control.kubestellar.io/CustomTransform", "control.kubestellar.io/StatusCollector",
    ]

    /// `group/kind` → plural, from CRDs.
    var custom: [String: String]
    /// `group/kind` → scope, from CRDs.
    var customScopes: [String: Scope] = [:]

    public init(custom: [String: String] = [:]) { self.custom = custom }

    /// Registers a custom kind (from a CRD's `spec.group`, `spec.names.kind`, `spec.names.plural`
    /// and `spec.scope`).
    public mutating func register(group: String, kind: String, plural: String, scope: Scope? = nil) {
        custom["\(group)/\(kind)"] = plural
        if let scope { customScopes["\(group)/\(kind)"] = scope }
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

    /// The scope of `kind` in `group`: a CRD's in the source first, then Kubernetes' own kinds
    /// (and the few inventory and control kinds above); `nil` when unknown (a custom kind whose
    /// CRD is not in the source).
    public func scope(group: String, kind: String) -> Scope? {
        let key = "\(group)/\(kind)"
        if let s = customScopes[key] { return s }
        if Self.clusterScoped.contains(key) { return .cluster }
        return Self.builtInGroups.contains(group) ? .namespaced : nil
    }
}
