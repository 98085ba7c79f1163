/// The checks every cluster-scoped control object (BindingPolicy, CustomTransform) starts with.
extension ManifestObject {
    /// The object's `spec` map, after refusing a namespace and any spec field outside
    /// `allowed`; every problem is appended to `errors`, naming `label` (`Kind/name`).
    /// - Returns: `nil` when there is no `spec` map at all.
    func clusterScopedSpec(label: String, allowed: Set<String>, errors: inout [SourceError]) -> [String: Value]? {
        let kind = label.split(separator: "/").first.map(String.init) ?? label
        if !ref.namespace.isEmpty {
            errors.append(
                SourceError(location: origin, object: label, field: "metadata.namespace", message: "\(kind) is cluster-scoped; remove the namespace"))
        }
        guard case .object(let spec)? = tree["spec"] else {
            errors.append(SourceError(location: origin, object: label, field: "spec", message: "required map is missing"))
            return nil
        }
        for key in spec.keys.sorted() where !allowed.contains(key) {
            errors.append(
                SourceError(
                    location: origin, object: label, field: "spec.\(key)",
                    message: "unknown field (expected one of \(allowed.sorted().joined(separator: ", ")))"))
        }
        return spec
    }
}
