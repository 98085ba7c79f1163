/// KubeStellar's `CustomTransform` (`control.kubestellar.io/v1alpha1`): parts to remove from every
/// object of one API group and resource on its way to a spoke, after the built-in cleaning.
/// Never placed in a bundle.
public struct CustomTransform: Sendable, Hashable {
    public static let kind = "CustomTransform"

    public var name: String
    /// Just the group, no version; `""` for the core group.
    public var apiGroup: String
    /// Lowercase plural, e.g. `deployments`.
    public var resource: String
    public var remove: [JSONPathQuery]
    public var origin: SourceLocation

    public init(
        name: String, apiGroup: String, resource: String, remove: [JSONPathQuery],
        origin: SourceLocation = SourceLocation(file: "", line: 0)
    ) {
        self.name = name
        self.apiGroup = apiGroup
        self.resource = resource
        self.remove = remove
        self.origin = origin
    }

    /// Whether this transform applies to objects of `group` and lowercase plural `resource`.
    public func applies(group: String, resource: String) -> Bool {
        apiGroup == group && self.resource == resource
    }
}

extension CustomTransform {
    static let specFields: Set<String> = ["apiGroup", "resource", "remove"]

    /// Builds a transform from its source object, appending every problem to `errors`.
    static func parse(_ obj: ManifestObject, errors: inout [SourceError]) -> CustomTransform? {
        let objName = "CustomTransform/\(obj.ref.name)"
        let start = errors.count
        func fail(_ f: String, _ m: String) {
            errors.append(SourceError(location: obj.origin, object: objName, field: f, message: m))
        }
        guard let spec = obj.clusterScopedSpec(label: objName, allowed: specFields, errors: &errors) else { return nil }
        var group = ""
        if let g = spec["apiGroup"], g != .null {
            if let s = g.stringValue {
                if s.contains("/") { fail("spec.apiGroup", "holds just the group, not the version: \"\(s)\"") }
                group = s
            } else {
                fail("spec.apiGroup", "must be a string (\"\" for the core group), found \(g.kindDescription)")
            }
        }
        let resource = spec["resource"]?.stringValue ?? ""
        if resource.isEmpty {
            fail("spec.resource", "required string is missing (a lowercase plural such as deployments)")
        } else if resource != resource.lowercased() {
            fail("spec.resource", "resource \"\(resource)\" must be a lowercase plural such as deployments")
        }
        var queries: [JSONPathQuery] = []
        if let r = spec["remove"], r != .null {
            if case .array(let arr) = r {
                for (i, e) in arr.enumerated() {
                    guard let s = e.stringValue else {
                        fail("spec.remove[\(i)]", "must be a string, found \(e.kindDescription)")
                        continue
                    }
                    do {
                        queries.append(try JSONPathQuery(s))
                    } catch {
                        fail("spec.remove[\(i)]", "bad JSONPath \"\(s)\" \(error)")
                    }
                }
            } else {
                fail("spec.remove", "must be a list of JSONPath strings, found \(r.kindDescription)")
            }
        }
        guard errors.count == start else { return nil }
        return CustomTransform(name: obj.ref.name, apiGroup: group, resource: resource, remove: queries, origin: obj.origin)
    }
}
