/// One clause of a policy's `spec.downsync` (KubeStellar's `DownsyncPolicyClause`): an object
/// matches when it passes every test the clause gives; an absent test or an empty list does not
/// constrain. A clause whose tests do not discriminate (`resources: ["*"]`, `namespaceSelectors:
/// [{}]`, …) selects every object, as KubeStellar's binding controller has it; the planner warns
/// about it (``PlanWarning/Kind/clauseSelectsEverything``).
public struct DownsyncClause: Sendable, Hashable {
    /// The tests of a clause, in the order KubeStellar applies them; named in `explain` reports.
    public enum Test: String, Sendable, Hashable, CaseIterable {
        case apiGroup, resources, namespaces, objectNames, objectSelectors, namespaceSelectors
    }

    /// `nil` = any group; `""` = the core group. There is no wildcard: KubeStellar compares literally.
    public var apiGroup: String?
    /// Lowercase plural resource names; `["*"]` or empty = all.
    public var resources: [String]
    /// `["*"]` or empty = all; `"*"` is the only entry a cluster-scoped object passes.
    public var namespaces: [String]
    /// Selectors on the labels of the object's Namespace; empty = no constraint. A `{}` entry
    /// passes every object, cluster-scoped ones included; otherwise a cluster-scoped object fails
    /// and a namespaced one fails when its Namespace is not in the source.
    public var namespaceSelectors: [LabelSelector]
    /// `["*"]` or empty = all.
    public var objectNames: [String]
    /// Selectors on the object's own labels; empty = no constraint.
    public var objectSelectors: [LabelSelector]
    public var createOnly: Bool
    public var wantSingletonReportedState: Bool
    /// Accepted for compatibility; Flotilla collects status its own way.
    public var statusCollectors: [String]

    public init(
        apiGroup: String? = nil, resources: [String] = [], namespaces: [String] = [],
        namespaceSelectors: [LabelSelector] = [], objectNames: [String] = [],
        objectSelectors: [LabelSelector] = [], createOnly: Bool = false, wantSingletonReportedState: Bool = false,
        statusCollectors: [String] = []
    ) {
        self.apiGroup = apiGroup
        self.resources = resources
        self.namespaces = namespaces
        self.namespaceSelectors = namespaceSelectors
        self.objectNames = objectNames
        self.objectSelectors = objectSelectors
        self.createOnly = createOnly
        self.wantSingletonReportedState = wantSingletonReportedState
        self.statusCollectors = statusCollectors
    }

    /// Whether `object` (of lowercase plural `resource`) passes every test of this clause.
    /// `namespaceLabels` are the labels of the object's Namespace, `nil` when the object is
    /// cluster-scoped or its Namespace is not in the source.
    public func matches(_ object: ManifestObject, resource: String, namespaceLabels: [String: String]?) -> Bool {
        firstFailure(object, resource: resource, namespaceLabels: namespaceLabels) == nil
    }

    /// The first test `object` fails, with a sentence saying why; `nil` when the clause selects it.
    public func firstFailure(
        _ object: ManifestObject, resource: String, namespaceLabels: [String: String]?
    ) -> (test: Test, reason: String)? {
        let ref = object.ref
        if let g = apiGroup, g != ref.group {
            return (.apiGroup, "group \"\(ref.group)\" is not \"\(g)\"")
        }
        if !Self.passes(resources, resource) {
            return (.resources, "resource \"\(resource)\" is not in [\(resources.joined(separator: ", "))]")
        }
        if !Self.passes(namespaces, ref.namespace) {
            return ref.namespace.isEmpty
                ? (.namespaces, "a cluster-scoped object passes namespaces only through \"*\"")
                : (.namespaces, "namespace \"\(ref.namespace)\" is not in [\(namespaces.joined(separator: ", "))]")
        }
        if !Self.passes(objectNames, ref.name) {
            return (.objectNames, "name \"\(ref.name)\" is not in [\(objectNames.joined(separator: ", "))]")
        }
        if !objectSelectors.isEmpty {
            let labels = object.labels
            if !objectSelectors.contains(where: { $0.matches(labels) }) {
                return (.objectSelectors, "labels match none of [\(objectSelectors.map { "{\($0)}" }.joined(separator: ", "))]")
            }
        }
        if !namespaceSelectors.isEmpty && !namespaceSelectors.contains(where: \.isEmpty) {
            if ref.namespace.isEmpty {
                return (.namespaceSelectors, "a cluster-scoped object passes namespaceSelectors only through {}")
            }
            guard let nsLabels = namespaceLabels else {
                return (.namespaceSelectors, "namespace \"\(ref.namespace)\" has no Namespace object in the source")
            }
            if !namespaceSelectors.contains(where: { $0.matches(nsLabels) }) {
                return (
                    .namespaceSelectors,
                    "labels of namespace \"\(ref.namespace)\" match none of [\(namespaceSelectors.map { "{\($0)}" }.joined(separator: ", "))]"
                )
            }
        }
        return nil
    }

    static func passes(_ list: [String], _ candidate: String) -> Bool {
        list.isEmpty || list.contains("*") || list.contains(candidate)
    }

    /// Whether no test discriminates, so that the clause selects every object. KubeStellar's API
    /// documentation calls such a clause invalid, but neither its CRD (which only asks that some
    /// test field be present) nor its binding controller refuses it: the controller matches
    /// every object with it.
    public var selectsEverything: Bool { !discriminates }

    /// Whether some test discriminates.
    var discriminates: Bool {
        apiGroup != nil
            || !(resources.isEmpty || resources.contains("*"))
            || !(namespaces.isEmpty || namespaces.contains("*"))
            || !(objectNames.isEmpty || objectNames.contains("*"))
            || !(objectSelectors.isEmpty || objectSelectors.contains(where: \.isEmpty))
            || !(namespaceSelectors.isEmpty || namespaceSelectors.contains(where: \.isEmpty))
    }
}

extension DownsyncClause {
    static let testFields: Set<String> = Set(Test.allCases.map(\.rawValue))
    static let modulationFields: Set<String> = [
        "createOnly", "wantSingletonReportedState", "wantMultiWECReportedState", "statusCollectors",
    ]

    /// Parses one clause, appending every problem to `errors`; `nil` when anything was wrong.
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
        for key in o.keys.sorted() where !testFields.contains(key) && !modulationFields.contains(key) {
            fail("\(field).\(key)", "unknown field (expected one of \((testFields.union(modulationFields)).sorted().joined(separator: ", ")))")
        }
        func strings(_ key: String, wildcard: Bool) -> [String] {
            guard let v = o[key], v != .null else { return [] }
            guard case .array(let arr) = v else {
                fail("\(field).\(key)", "must be a list of strings, found \(v.kindDescription)")
                return []
            }
            var out: [String] = []
            for (i, e) in arr.enumerated() {
                if let s = e.stringValue, !s.isEmpty { out.append(s) } else {
                    fail("\(field).\(key)[\(i)]", "must be a non-empty string, found \(e.stringValue == nil ? e.kindDescription : "\"\"")")
                }
            }
            if wildcard && out.contains("*") && out.count > 1 {
                fail("\(field).\(key)", "\"*\" already matches everything and must be the only entry")
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
            if let s = g.stringValue {
                if s == "*" {
                    fail("\(field).apiGroup", "\"*\" is not a wildcard in KubeStellar (it would match no object); omit apiGroup to match every group")
                }
                apiGroup = s
            } else {
                fail("\(field).apiGroup", "must be a string (\"\" for the core group), found \(g.kindDescription)")
            }
        }
        let resources = strings("resources", wildcard: true)
        for (i, r) in resources.enumerated() where r != "*" && r != r.lowercased() {
            fail("\(field).resources[\(i)]", "resource \"\(r)\" must be a lowercase plural such as deployments")
        }
        let clause = DownsyncClause(
            apiGroup: apiGroup, resources: resources, namespaces: strings("namespaces", wildcard: true),
            namespaceSelectors: selectors("namespaceSelectors"), objectNames: strings("objectNames", wildcard: true),
            objectSelectors: selectors("objectSelectors"), createOnly: flag("createOnly"),
            wantSingletonReportedState: flag("wantSingletonReportedState"),
            statusCollectors: strings("statusCollectors", wildcard: false))
        _ = flag("wantMultiWECReportedState")
        // KubeStellar's CRD (`anyOf` of `required`) asks only that some test field be present; a
        // clause whose present tests match everything is valid and selects every object.
        if errors.count == start && !o.contains(where: { testFields.contains($0.key) && $0.value != .null }) {
            fail(field, "clause has no test (give at least one of \(Test.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return errors.count == start ? clause : nil
    }
}
