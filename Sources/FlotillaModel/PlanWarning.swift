/// Something in a plan worth telling the operator that does not stop it: every spoke still gets
/// its bundle. These are what KubeStellar reports, or would leave unsaid, about a source it
/// accepts; ``Plan/warnings`` holds them, `flotilla plan` prints them, and the hub can surface
/// them (for instance beside the BindingPolicies named in ``policies``).
public struct PlanWarning: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A downsync clause none of whose tests discriminates: it selects every object that
        /// KubeStellar delivers, as KubeStellar's binding controller has it.
        case clauseSelectsEverything
        /// An object some policy wants the singleton reported state of, placed on no spoke or on
        /// more than one: KubeStellar reports it in the `status.errors` of every BindingPolicy
        /// that selects the object, and returns no singleton status for it.
        case singletonNotOnOneSpoke
    }

    public var kind: Kind
    /// The BindingPolicies concerned, sorted: the clause's policy, or every policy that selects
    /// the singleton object (those whose `status.errors` KubeStellar writes it in).
    public var policies: [String]
    /// Where to look: the policy of the clause, or the singleton object.
    public var origin: SourceLocation
    /// The clause, e.g. `spec.downsync[1]`; `nil` for a singleton.
    public var field: String?
    /// The singleton object; `nil` for a clause.
    public var object: ObjectRef?
    /// The spokes the singleton object lands on with singleton status requested, sorted; empty
    /// for a clause.
    public var spokes: [String]
    /// One sentence, spoke lists cut after ``listLimit`` names.
    public var message: String

    public init(
        kind: Kind, policies: [String], origin: SourceLocation, field: String? = nil, object: ObjectRef? = nil,
        spokes: [String] = [], message: String
    ) {
        self.kind = kind
        self.policies = policies
        self.origin = origin
        self.field = field
        self.object = object
        self.spokes = spokes
        self.message = message
    }

    /// How many spoke names a message shows before counting the rest.
    public static let listLimit = 10

    public var description: String {
        let subject = object.map(\.description) ?? policies.map { "BindingPolicy/\($0)" }.joined(separator: ", ")
        return "\(origin): \(subject)" + (field.map { " field \($0)" } ?? "") + ": " + message
    }

    /// The warning for `policy`'s clause at `index`.
    static func clauseSelectsEverything(_ policy: BindingPolicy, index: Int) -> PlanWarning {
        PlanWarning(
            kind: .clauseSelectsEverything, policies: [policy.name], origin: policy.origin, field: "spec.downsync[\(index)]",
            message: "clause selects every object KubeStellar delivers: none of its tests discriminates")
    }

    /// The warning for `object`, wanted as a singleton by `requestedBy`, selected by `policies`,
    /// landing on `spokes`.
    static func singleton(
        _ object: ManifestObject, requestedBy: [String], policies: [String], spokes: [String]
    ) -> PlanWarning {
        let landing =
            spokes.isEmpty
            ? "is placed on no spoke"
            : "is placed on \(spokes.count) spokes: \(list(spokes))"
        return PlanWarning(
            kind: .singletonNotOnOneSpoke, policies: policies, origin: object.origin, object: object.ref, spokes: spokes,
            message:
                "singleton reported state is requested (BindingPolicy \(requestedBy.joined(separator: ", "))) but the object "
                + "\(landing); KubeStellar reports this in the status.errors of BindingPolicy \(policies.joined(separator: ", "))")
    }

    static func list(_ names: [String]) -> String {
        let shown = names.prefix(listLimit).joined(separator: ", ")
        return names.count > listLimit ? "\(shown), … (\(names.count - listLimit) more)" : shown
    }
}
