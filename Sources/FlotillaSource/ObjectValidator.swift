import FlotillaModel

/// Checks the fields every Kubernetes object needs and builds its ``ObjectRef``.
enum ObjectValidator {
    static func object(from tree: [String: Value], at loc: SourceLocation, errors: inout [SourceError]) -> ManifestObject? {
        let start = errors.count
        let kind = tree["kind"]?.stringValue ?? ""
        let meta = tree["metadata"]?.objectValue
        let name = meta?["name"]?.stringValue ?? ""
        let label = kind.isEmpty ? "object" : (name.isEmpty ? kind : "\(kind)/\(name)")
        func fail(_ field: String, _ message: String) {
            errors.append(SourceError(location: loc, object: label, field: field, message: message))
        }
        guard let apiVersion = tree["apiVersion"]?.stringValue, !apiVersion.isEmpty else {
            fail("apiVersion", "required string is missing")
            return nil
        }
        if kind.isEmpty { fail("kind", "required string is missing") }
        if meta == nil { fail("metadata", "required map is missing") }
        if name.isEmpty && meta != nil { fail("metadata.name", "required string is missing") }
        var namespace = ""
        if let ns = meta?["namespace"], ns != .null {
            if let s = ns.stringValue { namespace = s } else { fail("metadata.namespace", "must be a string") }
        }
        for key in ["labels", "annotations"] {
            guard let m = meta?[key], m != .null else { continue }
            guard case .object(let o) = m else { fail("metadata.\(key)", "must be a map of strings"); continue }
            for (k, v) in o where v.stringValue == nil {
                fail("metadata.\(key).\(k)", "value must be a string, found \(v.kindDescription) (quote it)")
            }
        }
        guard errors.count == start else { return nil }
        return ManifestObject(
            ref: ObjectRef(apiVersion: apiVersion, kind: kind, namespace: namespace, name: name), tree: tree, origin: loc)
    }
}
