/// KubeStellar's `BindingPolicy` (`control.kubestellar.io/v1alpha1`): which spokes (any of the
/// cluster selectors) get which objects (any of the downsync clauses).
public struct BindingPolicy: Sendable, Hashable {
    public static let apiVersion = "control.kubestellar.io/v1alpha1"
    public static let kind = "BindingPolicy"

    public var name: String
    public var clusterSelectors: [LabelSelector]
    public var downsync: [DownsyncClause]
    /// The spec-level flag of older KubeStellar releases; ORed with each clause's own.
    public var wantSingletonReportedState: Bool
    public var origin: SourceLocation

    public init(
        name: String, clusterSelectors: [LabelSelector], downsync: [DownsyncClause],
        wantSingletonReportedState: Bool = false, origin: SourceLocation = SourceLocation(file: "", line: 0)
    ) {
        self.name = name
        self.clusterSelectors = clusterSelectors
        self.downsync = downsync
        self.wantSingletonReportedState = wantSingletonReportedState
        self.origin = origin
    }

    /// A spoke is selected when it passes any selector; no selectors select no spoke.
    public func selects(_ spoke: Spoke) -> Bool {
        clusterSelectors.contains { $0.matches(spoke.labels) }
    }

    /// Whether any clause selects `object`, and the ORed modulation of those that do: KubeStellar
    /// ORs `createOnly` across clauses, and `wantSingletonReportedState` across clauses and the
    /// spec-level flag.
    public func downsyncMatch(
        _ object: ManifestObject, resource: String, namespaceLabels: [String: String]?
    ) -> (createOnly: Bool, wantSingletonReportedState: Bool)? {
        var hit = false
        var createOnly = false
        var singleton = wantSingletonReportedState
        for clause in downsync where clause.matches(object, resource: resource, namespaceLabels: namespaceLabels) {
            hit = true
            createOnly = createOnly || clause.createOnly
            singleton = singleton || clause.wantSingletonReportedState
        }
        return hit ? (createOnly, singleton) : nil
    }
}

extension BindingPolicy {
    static let specFields: Set<String> = ["clusterSelectors", "downsync", "wantSingletonReportedState"]

    /// Builds a policy from its source object, appending every problem to `errors`.
    public static func parse(_ obj: ManifestObject, errors: inout [SourceError]) -> BindingPolicy? {
        let objName = "BindingPolicy/\(obj.ref.name)"
        let start = errors.count
        func fail(_ f: String, _ m: String) {
            errors.append(SourceError(location: obj.origin, object: objName, field: f, message: m))
        }
        guard let spec = obj.clusterScopedSpec(label: objName, allowed: specFields, errors: &errors) else { return nil }
        var selectors: [LabelSelector] = []
        if let cs = spec["clusterSelectors"], cs != .null {
            if case .array(let arr) = cs {
                for (i, s) in arr.enumerated() {
                    if let sel = LabelSelector.parse(
                        s, field: "spec.clusterSelectors[\(i)]", object: objName, at: obj.origin, errors: &errors)
                    {
                        selectors.append(sel)
                    }
                }
            } else {
                fail("spec.clusterSelectors", "must be a list of label selectors, found \(cs.kindDescription)")
            }
        }
        var clauses: [DownsyncClause] = []
        if let ds = spec["downsync"], ds != .null {
            if case .array(let arr) = ds {
                for (i, c) in arr.enumerated() {
                    if let clause = DownsyncClause.parse(
                        c, field: "spec.downsync[\(i)]", object: objName, at: obj.origin, errors: &errors)
                    {
                        clauses.append(clause)
                    }
                }
            } else {
                fail("spec.downsync", "must be a list of clauses, found \(ds.kindDescription)")
            }
        }
        var singleton = false
        if let w = spec["wantSingletonReportedState"], w != .null {
            if let b = w.boolValue { singleton = b } else {
                fail("spec.wantSingletonReportedState", "must be true or false, found \(w.kindDescription)")
            }
        }
        guard errors.count == start else { return nil }
        return BindingPolicy(
            name: obj.ref.name, clusterSelectors: selectors, downsync: clauses,
            wantSingletonReportedState: singleton, origin: obj.origin)
    }
}
