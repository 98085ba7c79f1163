/// One clause of a policy's `spec.downsync`: an object matches when it passes every test the
/// clause gives. Absent tests do not constrain.
public struct DownsyncClause: Sendable, Hashable {
    /// `nil` = any group; `""` = the core group.
    public var apiGroup: String?
    /// Lowercase plural resource names; `"*"` or empty = all.
    public var resources: [String]
    /// `"*"` or empty = all.
    public var namespaces: [String]
    /// Selectors on the labels of the object's Namespace; empty = no constraint.
    public var namespaceSelectors: [LabelSelector]
    public var objectNames: [String]
    public var objectSelectors: [LabelSelector]
    public var createOnly: Bool
    public var wantSingletonReportedState: Bool

    public init(
        apiGroup: String? = nil, resources: [String] = [], namespaces: [String] = [],
        namespaceSelectors: [LabelSelector] = [], objectNames: [String] = [],
        objectSelectors: [LabelSelector] = [], createOnly: Bool = false, wantSingletonReportedState: Bool = false
    ) {
        self.apiGroup = apiGroup
        self.resources = resources
        self.namespaces = namespaces
        self.namespaceSelectors = namespaceSelectors
        self.objectNames = objectNames
        self.objectSelectors = objectSelectors
        self.createOnly = createOnly
        self.wantSingletonReportedState = wantSingletonReportedState
    }

    /// Whether `object` (of resource `resource`, in a namespace labelled `namespaceLabels`) passes
    /// every test of this clause. Cluster-scoped objects pass `namespaceSelectors` only through `{}`.
    public func matches(_ object: ManifestObject, resource: String, namespaceLabels: [String: String]) -> Bool {
        let ref = object.ref
        if let g = apiGroup, g != "*", g != ref.group { return false }
        if !resources.isEmpty && !resources.contains("*") && !resources.contains(resource) { return false }
        if !namespaces.isEmpty && !namespaces.contains("*") {
            if ref.namespace.isEmpty || !namespaces.contains(ref.namespace) { return false }
        }
        if !namespaceSelectors.isEmpty {
            if ref.namespace.isEmpty {
                if !namespaceSelectors.contains(where: { $0.isEmpty }) { return false }
            } else if !namespaceSelectors.contains(where: { $0.matches(namespaceLabels) }) {
                return false
            }
        }
        if !objectNames.isEmpty && !objectNames.contains("*") && !objectNames.contains(ref.name) { return false }
        if !objectSelectors.isEmpty {
            let labels = object.labels
            if !objectSelectors.contains(where: { $0.matches(labels) }) { return false }
        }
        return true
    }
}

extension DownsyncClause {
    static let testFields: Set<String> = [
        "apiGroup", "resources", "namespaces", "namespaceSelectors", "objectNames", "objectSelectors",
    ]
    static let otherFields: Set<String> = ["createOnly", "wantSingletonReportedState", "statusCollectors"]

    static func parse(
        _ value: Value, field: String, object: String, at location: SourceLocation, errors: inout [SourceError]
    ) -> DownsyncClause? {
        let start = errors.count
        func fail(_ f: String, _ m: String) {
            errors.append(SourceError(location: location, object: object, field: f, message: m))
        }
        guard case .object(let o) = value else {
            fail(field, "a downsync clause must be a map, found \(value.kindDescription)")
            return nil
        }
        for key in o.keys.sorted() where !testFields.contains(key) && !otherFields.contains(key) {
            fail("\(field).\(key)", "unknown field")
        }
        if !o.keys.contains(where: { testFields.contains($0) }) {
            fail(field, "clause has no test (give at least one of \(testFields.sorted().joined(separator: ", ")))")
        }
        func strings(_ key: String) -> [String] {
            guard let v = o[key], v != .null else { return [] }
            guard case .array(let arr) = v else {
                fail("\(field).\(key)", "must be a list of strings, found \(v.kindDescription)")
                return []
            }
            var out: [String] = []
            for (i, e) in arr.enumerated() {
                if let s = e.stringValue { out.append(s) } else {
                    fail("\(field).\(key)[\(i)]", "must be a string, found \(e.kindDescription)")
                }
            }
            return out
        }
        func selectors(_ key: String) -> [LabelSelector] {
            guard let v = o[key], v != .null else { return [] }
            guard case .array(let arr) = v else {
                fail("\(field).\(key)", "must be a list of label selectors, found \(v.kindDescription)")
                return []
            }
            return arr.enumerated().compactMap { i, e in
                LabelSelector.parse(e, field: "\(field).\(key)[\(i)]", object: object, at: location, errors: &errors)
            }
        }
        func flag(_ key: String) -> Bool {
            guard let v = o[key], v != .null else { return false }
            guard let b = v.boolValue else {
                fail("\(field).\(key)", "must be true or false, found \(v.kindDescription)")
                return false
            }
            return b
        }
        var apiGroup: String?
        if let g = o["apiGroup"], g != .null {
            if let s = g.stringValue { apiGroup = s } else {
                fail("\(field).apiGroup", "must be a string, found \(g.kindDescription)")
            }
        }
        let resources = strings("resources")
        for (i, r) in resources.enumerated() where r != "*" && r != r.lowercased() {
            fail("\(field).resources[\(i)]", "resource \"\(r)\" must be a lowercase plural such as deployments")
        }
        let clause = DownsyncClause(
            apiGroup: apiGroup, resources: resources, namespaces: strings("namespaces"),
            namespaceSelectors: selectors("namespaceSelectors"), objectNames: strings("objectNames"),
            objectSelectors: selectors("objectSelectors"), createOnly: flag("createOnly"),
            wantSingletonReportedState: flag("wantSingletonReportedState"))
        return errors.count == start ? clause : nil
    }
}
