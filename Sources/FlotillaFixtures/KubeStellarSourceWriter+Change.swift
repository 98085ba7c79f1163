import FlotillaModel
import Foundation

/// Edits a user makes to a written source, each one file rewritten atomically (temporary file,
/// then rename), as `git pull` or an editor does.
extension KubeStellarSourceWriter {
    /// What one change rewrote and which spokes' bundles it changes.
    public struct Change: Sendable, Codable, Hashable {
        /// The file rewritten, relative to the source directory.
        public var file: String
        /// The spokes whose bundle changes, sorted.
        public var spokes: [String]
        public var summary: String
    }

    /// A change that touches every spoke: ``allSpokesObject`` (in ``allSpokesFile``, which every
    /// spoke receives through `fleet-baseline`) gets the next ``revision``.
    public mutating func changeEverySpoke(in directory: URL) throws -> Change {
        revision += 1
        try Self.writeAtomically(fleetSettings(), to: directory.appendingPathComponent(Self.allSpokesFile))
        return Change(
            file: Self.allSpokesFile, spokes: spokeNames,
            summary: "\(Self.allSpokesObject) set to revision \(revision)")
    }

    /// A change that touches one spoke: spoke `index` gains the ``canaryLabel`` (and with it the
    /// `canary` policy and ``canaryObject``), or loses it if it has it; its inventory file (with
    /// the other clusters of that file unchanged) is rewritten.
    public mutating func changeOneSpoke(in directory: URL, index: Int) throws -> Change {
        precondition((0..<spokes).contains(index), "spoke index \(index) is not in 0..<\(spokes)")
        let gains = !canaries.contains(index)
        if gains { canaries.insert(index) } else { canaries.remove(index) }
        let file = Self.inventoryFile(forSpoke: index)
        let start = index / Self.clustersPerFile * Self.clustersPerFile
        try Self.writeAtomically(inventoryText(start: start), to: directory.appendingPathComponent(file))
        let name = Self.spokeName(index)
        return Change(
            file: file, spokes: [name],
            summary: "\(name) \(gains ? "gains" : "loses") \(Self.canaryLabel)=true (policy canary, \(Self.canaryObject))")
    }
}

/// A change touching a chosen share of the spokes: a ConfigMap (``cohortObject``) that only the
/// spokes of a cohort receive, through a policy (``cohortPolicyFile``) whose cluster selector
/// names them (`name In [...]`, or `name NotIn [...]` the others when the cohort is more than
/// half the fleet; every spoke when it is all of it). ``writeCohort(fraction:in:)`` adds both to a
/// written source, before the hub first reads it; ``changeFraction(_:revision:in:)`` then rewrites
/// the ConfigMap alone, which changes exactly the cohort's bundles.
extension KubeStellarSourceWriter {
    public static let cohortObject = ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "fleet-system", name: "cohort-settings")
    public static let cohortObjectFile = "workloads/fleet-system/cohort-settings.yaml"
    public static let cohortPolicyFile = "policies/cohort.yaml"
    /// The object label the `cohort` policy selects.
    public static let cohortLabel = "flotilla.bench/cohort"

    /// The spoke indices a `fraction` of the fleet selects: `floor(fraction × spokes)` of them,
    /// spread evenly over the inventory (index `i` is in when `floor((i + 1) × f) > floor(i × f)`),
    /// so every inventory file holds its share.
    public func cohort(fraction: Double) -> [Int] {
        let f = min(max(fraction, 0), 1)
        guard f < 1 else { return Array(0..<spokes) }
        return (0..<spokes).filter { i in (Double(i + 1) * f).rounded(.down) > (Double(i) * f).rounded(.down) }
    }

    /// Adds the `cohort` policy selecting ``cohort(fraction:)`` and ``cohortObject`` at revision 1.
    /// - Returns: the cohort's spoke names, sorted.
    /// - Throws: ``FixtureError`` for an empty cohort, or the file system's error.
    @discardableResult
    public func writeCohort(fraction: Double, in directory: URL) throws -> [String] {
        let members = cohort(fraction: fraction)
        guard !members.isEmpty else {
            throw FixtureError("a change fraction of \(fraction) selects no spoke of \(spokes); give at least \(1.0 / Double(spokes))")
        }
        let names = members.map(Self.spokeName)
        let selector: String
        if members.count == spokes {
            selector = #"  - matchLabels: {"location-group": "edge"}"#
        } else if members.count * 2 <= spokes {
            selector = "  - matchExpressions:\n    - {key: name, operator: In, values: [\(names.map(Self.quoted).joined(separator: ", "))]}"
        } else {
            let inside = Set(members)
            let others = (0..<spokes).filter { !inside.contains($0) }.map { Self.quoted(Self.spokeName($0)) }
            selector = "  - matchLabels: {\"location-group\": \"edge\"}\n    matchExpressions:\n    - {key: name, operator: NotIn, values: [\(others.joined(separator: ", "))]}"
        }
        let policy = Self.policy(
            name: "cohort", clusterSelector: selector,
            objectSelector: "      - matchLabels: {\(Self.quoted(Self.cohortLabel)): \"true\"}")
        try Self.writeAtomically(policy, to: directory.appendingPathComponent(Self.cohortPolicyFile))
        try Self.writeAtomically(Self.cohortSettings(revision: 1), to: directory.appendingPathComponent(Self.cohortObjectFile))
        return names
    }

    /// Rewrites ``cohortObject`` at `revision` (different from the one it has: the caller counts,
    /// starting after 1): every spoke of the cohort written by ``writeCohort(fraction:in:)`` gets a
    /// new bundle, and no other.
    public func changeFraction(_ fraction: Double, revision: Int, in directory: URL) throws -> Change {
        try Self.writeAtomically(Self.cohortSettings(revision: revision), to: directory.appendingPathComponent(Self.cohortObjectFile))
        let names = cohort(fraction: fraction).map(Self.spokeName)
        return Change(
            file: Self.cohortObjectFile, spokes: names,
            summary: "\(Self.cohortObject.name) set to revision \(revision) (\(names.count) of \(spokes) spokes)")
    }

    static func cohortSettings(revision: Int) -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: \(cohortObject.name)
          namespace: \(cohortObject.namespace)
          labels:
            \(quoted(cohortLabel)): "true"
        data:
          revision: "\(revision)"

        """
    }
}
