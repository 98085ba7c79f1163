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
