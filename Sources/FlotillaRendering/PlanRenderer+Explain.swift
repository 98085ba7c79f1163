import FlotillaModel
import FlotillaWire

/// `flotilla plan --explain KIND/NAMESPACE/NAME`: for one object, per policy, which clause selects
/// it (or which test of each clause failed) and which spokes the policy matches; why it is never
/// placed when KubeStellar never delivers its kind; the plan's warnings about it.
extension PlanRenderer {
    /// The outcome of one downsync clause for the explained object.
    public struct ClauseVerdict: Sendable, Hashable {
        public var index: Int
        /// `nil` when the clause selects the object.
        public var failedTest: DownsyncClause.Test?
        public var reason: String
    }

    /// One policy's view of the explained object.
    public struct PolicyVerdict: Sendable, Hashable {
        public var policy: String
        public var origin: SourceLocation
        public var clauses: [ClauseVerdict]
        /// The spokes the policy's cluster selectors match, sorted.
        public var spokes: [String]
        public var selectsObject: Bool { clauses.contains { $0.failedTest == nil } }
    }

    /// Everything `--explain` reports about one object.
    public struct Explanation: Sendable, Hashable {
        public var object: ObjectRef
        public var origin: SourceLocation
        /// The lowercase plural that `resources` tests compare with.
        public var resource: String
        public var policies: [PolicyVerdict]
        /// The spokes whose bundle holds the object, sorted.
        public var placedOn: [String]
        /// Why no policy places the object (``DeliveryExclusion``); `nil` when policies may.
        public var excluded: String?
        /// The plan's warnings about this object.
        public var warnings: [PlanWarning]
    }

    /// Parses `KIND/NAMESPACE/NAME`, or `KIND/NAME` for a cluster-scoped object; `KIND` may be
    /// qualified with its group (`Deployment.apps`) and is matched case-insensitively. An object
    /// written without a namespace is found under the one it was given (`default` for a
    /// namespaced kind).
    /// - Throws: ``Failure`` when the text has another shape or names no workload object, or
    ///   names several (then it lists them, so the group can be added).
    public func findObject(_ text: String) throws(Failure) -> ManifestObject {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let kindPart: String
        let namespace: String
        let name: String
        switch parts.count {
        case 2: (kindPart, namespace, name) = (parts[0], "", parts[1])
        case 3: (kindPart, namespace, name) = (parts[0], parts[1], parts[2])
        default: throw Failure(message: "\"\(text)\" is not KIND/NAMESPACE/NAME (or KIND/NAME for a cluster-scoped object)")
        }
        let kind: Substring
        let group: Substring?
        if let dot = kindPart.firstIndex(of: ".") {
            (kind, group) = (kindPart[..<dot], kindPart[kindPart.index(after: dot)...])
        } else {
            (kind, group) = (Substring(kindPart), nil)
        }
        let hits = fleet.workloads.filter {
            $0.ref.kind.lowercased() == kind.lowercased() && $0.ref.namespace == namespace && $0.ref.name == name
                && (group == nil || $0.ref.group == group!)
        }
        switch hits.count {
        case 1: return hits[0]
        case 0:
            let inDefault = namespace.isEmpty && fleet.workloads.contains {
                $0.ref.kind.lowercased() == kind.lowercased() && $0.ref.namespace == FleetSource.defaultNamespace
                    && $0.ref.name == name && (group == nil || $0.ref.group == group!)
            }
            throw Failure(
                message: "no workload object \(text) in the source (policies, CustomTransforms and inventory never go into bundles)"
                    + (inDefault ? "; a namespaced object written without a namespace is in default: \(kindPart)/default/\(name)" : ""))
        default:
            throw Failure(message: "\(text) is ambiguous: \(hits.map(\.ref.description).joined(separator: ", ")); add the group, e.g. Kind.group")
        }
    }

    /// Explains the placement of the object `text` names (see ``findObject(_:)``).
    /// - Throws: ``Failure`` when no single workload object matches `text`.
    public func explanation(_ text: String) throws(Failure) -> Explanation {
        let object = try findObject(text)
        let resource = fleet.resource(of: object.ref)
        let nsLabels = fleet.namespaceLabels(of: object.ref)
        let verdicts = fleet.policies.map { policy in
            PolicyVerdict(
                policy: policy.name, origin: policy.origin,
                clauses: policy.downsync.enumerated().map { i, clause in
                    if let failure = clause.firstFailure(object, resource: resource, namespaceLabels: nsLabels) {
                        return ClauseVerdict(index: i, failedTest: failure.test, reason: failure.reason)
                    }
                    let flags = [
                        clause.selectsEverything ? "the clause selects every object" : nil,
                        clause.createOnly ? "createOnly" : nil, clause.wantSingletonReportedState ? "singleton" : nil,
                    ].compactMap { $0 }
                    return ClauseVerdict(
                        index: i, failedTest: nil,
                        reason: "selects it" + (flags.isEmpty ? "" : " (\(flags.joined(separator: ", ")))"))
                },
                spokes: fleet.spokes.filter(policy.selects).map(\.name).sorted())
        }
        let placedOn = plan.spokes.filter { sp in sp.placements.contains { $0.ref == object.ref } }.map(\.spoke.name)
        return Explanation(
            object: object.ref, origin: object.origin, resource: resource, policies: verdicts, placedOn: placedOn,
            excluded: fleet.deliveryExclusion(of: object.ref), warnings: plan.warnings.filter { $0.object == object.ref })
    }

    /// ``explanation(_:)`` as text: the object, then a paragraph per policy, then where it lands.
    /// Spoke lists longer than `maxSpokes` are cut, with a count of the rest.
    /// - Throws: ``Failure`` when no single workload object matches `text`.
    public func explain(_ text: String, maxSpokes: Int = 20) throws(Failure) -> String {
        let e = try explanation(text)
        func list(_ names: [String]) -> String {
            guard !names.isEmpty else { return "none" }
            let shown = names.prefix(maxSpokes).joined(separator: ", ")
            return names.count > maxSpokes ? "\(shown), … (\(names.count - maxSpokes) more)" : shown
        }
        var out = "\(e.object) (resource \(e.resource)), defined at \(e.origin)\n"
        if let excluded = e.excluded { out += "never placed: \(excluded)\n" }
        for v in e.policies {
            out += "\nBindingPolicy \(v.policy) (\(v.origin)): "
            out += v.selectsObject ? "selects the object\n" : "does not select the object\n"
            if v.clauses.isEmpty { out += "  no downsync clauses\n" }
            for c in v.clauses {
                out += c.failedTest.map { "  downsync[\(c.index)]: fails \($0.rawValue): \(c.reason)\n" }
                    ?? "  downsync[\(c.index)]: \(c.reason)\n"
            }
            out += "  matches \(v.spokes.count) spoke(s): \(list(v.spokes))\n"
        }
        if e.policies.isEmpty { out += "\nno BindingPolicy in the source\n" }
        out += "\nplaced on \(e.placedOn.count) spoke(s): \(list(e.placedOn))\n"
        for w in e.warnings { out += "warning: \(w.message)\n" }
        return out
    }
}
