/// The result of placement: for every spoke in the inventory, which objects it gets and why,
/// and its rendered bundle payload (or the errors that keep it on its previous bundle).
public struct Plan: Sendable {
    /// One object placed on one spoke.
    public struct Placement: Sendable, Hashable {
        public var ref: ObjectRef
        /// Names of the policies that placed it, sorted.
        public var policies: [String]
        /// ORed over every clause of every policy that placed it.
        public var createOnly: Bool
        /// ORed over every such clause and every such policy's spec-level flag.
        public var wantSingletonReportedState: Bool
    }

    /// One spoke's share of the plan.
    public struct SpokePlan: Sendable {
        public var spoke: Spoke
        /// Sorted by ``ObjectRef``, as the bundle's items are.
        public var placements: [Placement]
        /// Canonical bundle payload; `nil` when rendering failed.
        public var payload: [UInt8]?
        /// Hex SHA-256 of `payload`.
        public var hash: String?
        /// Why this spoke could not be rendered: every template failure, one per line.
        public var error: String?
        /// The same failures, structured (object, field, spoke, property).
        public var failures: [TemplateFailure] = []
    }

    /// Sorted by spoke name.
    public var spokes: [SpokePlan]
    /// What the plan does not refuse but the operator should know, as KubeStellar would report
    /// it: clauses that select every object (in policy and clause order), then singletons placed
    /// on no spoke or several (in object order). Warnings never keep a bundle back.
    public var warnings: [PlanWarning]

    public init(spokes: [SpokePlan], warnings: [PlanWarning] = []) {
        self.spokes = spokes
        self.warnings = warnings
    }

    /// The plan of the spoke named `name`, by binary search.
    public subscript(spoke name: String) -> SpokePlan? {
        var lo = 0
        var hi = spokes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if spokes[mid].spoke.name < name { lo = mid + 1 } else { hi = mid }
        }
        return lo < spokes.count && spokes[lo].spoke.name == name ? spokes[lo] : nil
    }

    /// Every template failure of every spoke, in spoke order.
    public var failures: [TemplateFailure] { spokes.flatMap(\.failures) }
}
