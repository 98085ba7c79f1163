/// Removes what a server fills in, as KubeStellar does before an object reaches a workload
/// cluster: a spoke must never receive another cluster's `status`, `uid` or allocated IPs.
public enum ObjectCleaner {
    static let metadataFields = [
        "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink",
        "ownerReferences", "finalizers", "generateName", "deletionTimestamp", "deletionGracePeriodSeconds",
    ]
    static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"
    static let preserveNodePort = "control.kubestellar.io/preserve"

    public static func clean(_ tree: [String: Value], ref: ObjectRef) -> [String: Value] {
        var t = tree
        t["status"] = nil
        if case .object(var meta)? = t["metadata"] {
            for f in metadataFields { meta[f] = nil }
            if case .object(var ann)? = meta["annotations"] {
                ann[lastApplied] = nil
                if ref.group == "batch" && ref.kind == "Job" { ann["batch.kubernetes.io/job-tracking"] = nil }
                meta["annotations"] = ann.isEmpty ? nil : .object(ann)
            }
            if ref.group == "batch" && ref.kind == "Job" { meta = stripControllerUID(meta) }
            t["metadata"] = .object(meta)
        }
        if ref.group == "" && ref.kind == "Service", case .object(var spec)? = t["spec"] {
            if spec["clusterIP"]?.stringValue != "None" { spec["clusterIP"] = nil }
            if case .array(let ips)? = spec["clusterIPs"], !ips.contains(.string("None")) { spec["clusterIPs"] = nil }
            for f in ["ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy", "externalTrafficPolicy", "sessionAffinity"] {
                spec[f] = nil
            }
            let annotations = ManifestObject.stringMap(tree["metadata"]?.objectValue?["annotations"])
            if annotations[preserveNodePort] != "nodeport", case .array(let ports)? = spec["ports"] {
                spec["ports"] = .array(
                    ports.map { p in
                        guard case .object(var po) = p else { return p }
                        po["nodePort"] = nil
                        return .object(po)
                    })
            }
            t["spec"] = .object(spec)
        }
        if ref.group == "batch" && ref.kind == "Job", case .object(var spec)? = t["spec"] {
            spec["selector"] = nil
            spec["suspend"] = nil
            if case .object(var template)? = spec["template"], case .object(let tm)? = template["metadata"] {
                template["metadata"] = .object(stripControllerUID(tm))
                spec["template"] = .object(template)
            }
            t["spec"] = .object(spec)
        }
        return t
    }

    static func stripControllerUID(_ meta: [String: Value]) -> [String: Value] {
        var m = meta
        if case .object(var labels)? = m["labels"] {
            for k in ["controller-uid", "batch.kubernetes.io/controller-uid"] { labels[k] = nil }
            m["labels"] = labels.isEmpty ? nil : .object(labels)
        }
        return m
    }
}
