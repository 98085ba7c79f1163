/// What KubeStellar never delivers to a cluster, whatever a policy selects: its binding controller
/// does not even watch these API groups and group-resources (`excludedGroups` and
/// `excludedGroupResources` in `pkg/binding/binding-controller.go`). Flotilla never places them
/// either; `plan --explain` says why.
public enum DeliveryExclusion {
    /// Whole API groups: API priority and fairness, EndpointSlices, aggregated APIs, Leases, and
    /// KubeStellar's own control objects.
    public static let groups: Set<String> = [
        "flowcontrol.apiserver.k8s.io", "discovery.k8s.io", "apiregistration.k8s.io", "coordination.k8s.io",
        "control.kubestellar.io",
    ]

    /// Single resources, as `group/resource` (core group: `/resource`): objects a cluster makes
    /// for itself.
    public static let groupResources: Set<String> = [
        "/events", "events.k8s.io/events", "/nodes", "storage.k8s.io/csistoragecapacities", "storage.k8s.io/csinodes",
        "/endpoints",
    ]

    /// Why objects of `group` and lowercase plural `resource` are never delivered; `nil` when
    /// they may be.
    public static func reason(group: String, resource: String) -> String? {
        if groups.contains(group) {
            return "KubeStellar never delivers objects of API group \(group) (its binding controller excludes the group)"
        }
        if groupResources.contains("\(group)/\(resource)") {
            let qualified = group.isEmpty ? "\(resource) of the core group" : "\(resource).\(group)"
            return "KubeStellar never delivers \(qualified) (its binding controller excludes the resource)"
        }
        return nil
    }
}
