/// Removes what a server fills in, as KubeStellar's transport does before an object reaches a
/// workload cluster (`TransformObject` and its per-kind filters), then applies the matching
/// ``CustomTransform``s: a spoke must never receive the hub's `status`, `uid` or allocated IPs.
public enum ObjectCleaner {
    static let metadataFields = [
        "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink",
        "ownerReferences", "finalizers", "generateName", "deletionTimestamp", "deletionGracePeriodSeconds",
    ]
    static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"
    /// With the value `nodeport`, a Service keeps its ports' `nodePort`.
    public static let preserveAnnotation = "control.kubestellar.io/preserve"
    static let jobTracking = "batch.kubernetes.io/job-tracking"
    static let jobControllerLabels = ["controller-uid", "batch.kubernetes.io/controller-uid"]
    static let serviceFields = ["ipFamilies", "externalTrafficPolicy", "internalTrafficPolicy", "ipFamilyPolicy", "sessionAffinity"]

    /// The cleaned tree of an object: common fields, then the per-kind fields of core `v1`
    /// Service and `batch/v1` Job (KubeStellar keys these by exact version too), then every
    /// transform in `transforms` that names the object's group and `resource`, in order.
    public static func clean(
        _ tree: [String: Value], ref: ObjectRef, resource: String = "", transforms: [CustomTransform] = []
    ) -> [String: Value] {
        var t = tree
        t["status"] = nil
        if case .object(var meta)? = t["metadata"] {
            t["metadata"] = nil
            for f in metadataFields { meta[f] = nil }
            if case .object(var ann)? = meta["annotations"] {
                ann[lastApplied] = nil
                meta["annotations"] = ann.isEmpty ? nil : .object(ann)
            }
            t["metadata"] = .object(meta)
        }
        switch (ref.apiVersion, ref.kind) {
        case ("v1", "Service"): cleanService(&t)
        case ("batch/v1", "Job"): cleanJob(&t)
        default: break
        }
        for transform in transforms where transform.applies(group: ref.group, resource: resource) {
            for query in transform.remove { query.remove(from: &t) }
        }
        return t
    }

    static func cleanService(_ t: inout [String: Value]) {
        guard case .object(var spec)? = t["spec"] else { return }
        t["spec"] = nil
        for f in serviceFields { spec[f] = nil }
        // A headless Service must stay headless; any other cluster IP belongs to the hub's cluster.
        if let ip = spec["clusterIP"], ip.stringValue != "None" { spec["clusterIP"] = nil }
        if case .array(let ips)? = spec["clusterIPs"] {
            let kept = ips.filter { $0.stringValue == "None" }
            spec["clusterIPs"] = kept.isEmpty ? nil : .array(kept)
        }
        let preserve = t["metadata"]?.objectValue?["annotations"]?.objectValue?[preserveAnnotation]?.stringValue
        if preserve != "nodeport", case .array(let ports)? = spec["ports"] {
            // KubeStellar writes `nodePort: null`; to an apply that is the same as leaving it out.
            spec["ports"] = .array(
                ports.map { p in
                    guard case .object(var po) = p else { return p }
                    po["nodePort"] = nil
                    return .object(po)
                })
        }
        t["spec"] = .object(spec)
    }

    static func cleanJob(_ t: inout [String: Value]) {
        if case .object(var meta)? = t["metadata"] {
            if case .object(var ann)? = meta["annotations"] {
                ann[jobTracking] = nil
                meta["annotations"] = ann.isEmpty ? nil : .object(ann)
            }
            stripControllerUID(&meta)
            t["metadata"] = .object(meta)
        }
        guard case .object(var spec)? = t["spec"] else { return }
        spec["selector"] = nil
        spec["suspend"] = nil
        if case .object(var template)? = spec["template"], case .object(var tm)? = template["metadata"] {
            stripControllerUID(&tm)
            template["metadata"] = .object(tm)
            spec["template"] = .object(template)
        }
        t["spec"] = .object(spec)
    }

    static func stripControllerUID(_ meta: inout [String: Value]) {
        guard case .object(var labels)? = meta["labels"] else { return }
        for k in jobControllerLabels { labels[k] = nil }
        meta["labels"] = labels.isEmpty ? nil : .object(labels)
    }
}
