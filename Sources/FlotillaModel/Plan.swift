/// The result of placement: for every spoke in the inventory, which objects it gets and why,
/// and its rendered bundle payload (or the error that keeps it on its previous bundle).
public struct Plan: Sendable {
    /// One object placed on one spoke.
    public struct Placement: Sendable, Hashable {
        public var ref: ObjectRef
        /// Names of the policies that placed it, sorted.
        public var policies: [String]
        public var createOnly: Bool
        public var wantSingletonReportedState: Bool
    }

    /// One spoke's share of the plan.
    public struct SpokePlan: Sendable {
        public var spoke: Spoke
        public var placements: [Placement]
        /// Canonical bundle payload; `nil` when rendering failed.
        public var payload: [UInt8]?
        /// Hex SHA-256 of `payload`.
        public var hash: String?
        /// Why this spoke could not be rendered (a template error), naming object and field.
        public var error: String?
    }

    /// Sorted by spoke name.
    public var spokes: [SpokePlan]

    public subscript(spoke name: String) -> SpokePlan? { spokes.first { $0.spoke.name == name } }
}
