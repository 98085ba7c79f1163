extension FleetSource {
    /// Whether `ref` is inventory (`cluster.open-cluster-management.io` ManagedCluster or
    /// `flotilla.io` Spoke): its name is a spoke name, held to ``Spoke/isValidName(_:)``.
    static func isInventory(_ ref: ObjectRef) -> Bool {
        switch (ref.group, ref.kind) {
        case ("cluster.open-cluster-management.io", "ManagedCluster"), ("flotilla.io", "Spoke"): return true
        default: return false
        }
    }

    /// The errors of an object whose name or namespace its kind does not allow (see
    /// ``KubernetesName``). Inventory is left to the spoke-name rule, which is stricter.
    static func nameErrors(of obj: ManifestObject) -> [SourceError] {
        guard !isInventory(obj.ref) else { return [] }
        // The label is escaped too: it goes into logs and `flotilla status` as one line.
        let label = KubernetesName.escaped(obj.ref.description)
        return KubernetesName.violations(of: obj.ref).map {
            SourceError(location: obj.origin, object: label, field: $0.field, message: $0.message)
        }
    }
}
