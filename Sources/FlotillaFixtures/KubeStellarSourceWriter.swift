import FlotillaModel
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a KubeStellar-style GitOps source of a store fleet as YAML files, as a user keeps it
/// in git: OCM `ManagedCluster`s with their property ConfigMaps (`customization-properties`),
/// workload manifests in several namespaces, and `BindingPolicy`s. The same arguments and seed
/// always give the same bytes. For `flotilla bench source` and scale tests.
///
/// Layout under the directory:
/// - `inventory/clusters-NNN.yaml`: 100 `ManagedCluster`s per file, labelled `location-group`,
///   `name`, `region` (10), `zone` (3 per region), `store-tier` (small 40 %, medium 30 %, large
///   20 %, flagship 10 %), `store-format` (3) and `rollout-wave` (0–4).
/// - `inventory/properties-NNN.yaml`: each cluster's property ConfigMap (`storeNumber`,
///   `timezone`, `posEndpoint`), 100 per file.
/// - `workloads/fleet-system/`: the baseline every spoke gets (its Namespace, a DaemonSet, a
///   Deployment, a Service, a Secret, a templated `store-identity` ConfigMap), the
///   ``allSpokesObject`` alone in `fleet-settings.yaml`, and the `canary-settings` ConfigMap that
///   only canary spokes get.
/// - `workloads/app-NNN/objects-NN.yaml`: the rest of the objects, five per file, spread over
///   one namespace per app (about 20 objects each: its Namespace, then Deployments, DaemonSets,
///   Services, ConfigMaps and Secrets in four components `c0`…`c3`).
/// - `policies/policies-NN.yaml`: ten `BindingPolicy`s per file: `fleet-baseline` (every
///   spoke), `canary` (spokes labelled `flotilla.bench/canary: "true"`; none at first), and
///   per-app policies, each selecting two components of one app (and its Namespace) with an
///   `objectSelector`, for the clusters of one zone and tier, one region and tier, one region
///   and wave, or one zone and format. At 2,000 or 10,000 spokes × 2,000 objects × 200 policies
///   each spoke gets about 39 objects (387,376 placements at 10,000 spokes).
public struct KubeStellarSourceWriter: Sendable {
    public var spokes: Int
    /// Workload objects in total (Namespaces included; inventory, properties and policies not).
    public var objects: Int
    /// BindingPolicies in total, `fleet-baseline` and `canary` included.
    public var policies: Int
    public var seed: UInt64
    /// Bumped by every ``changeEverySpoke(in:)``: the `revision` in `fleet-settings`.
    public internal(set) var revision = 1
    /// Spokes currently labelled as canaries (by index), toggled by ``changeOneSpoke(in:index:)``.
    public internal(set) var canaries: Set<Int> = []

    /// Objects of the baseline namespace, the ``allSpokesObject`` and the canary ConfigMap included.
    public static let baselineObjects = 8
    /// The smallest source: the baseline, and one app of a Namespace and one object.
    public static let minimumObjects = baselineObjects + 2
    public static let clustersPerFile = 100
    static let objectsPerFile = 5
    static let policiesPerFile = 10

    /// The ConfigMap every spoke receives (through `fleet-baseline`), alone in its file.
    public static let allSpokesObject = ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "fleet-system", name: "fleet-settings")
    public static let allSpokesFile = "workloads/fleet-system/fleet-settings.yaml"
    /// The label that makes a spoke a canary, and the ConfigMap only canaries get.
    public static let canaryLabel = "flotilla.bench/canary"
    public static let canaryObject = ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "fleet-system", name: "canary-settings")

    public init(spokes: Int, objects: Int = 2_000, policies: Int = 200, seed: UInt64 = 0x5EED_F107) {
        self.spokes = spokes
        self.objects = objects
        self.policies = policies
        self.seed = seed
    }

    /// What ``write(to:)`` wrote.
    public struct Summary: Sendable, Codable, Hashable {
        public var files: Int
        public var bytes: Int
        public var spokes: Int
        public var objects: Int
        public var policies: Int
    }

    /// The spoke names, in order: `store-00000`, `store-00001`, …
    public var spokeNames: [String] { (0..<spokes).map(Self.spokeName) }

    public static func spokeName(_ index: Int) -> String { "store-" + pad(index, 5) }

    /// Writes the whole source into `directory` (created if missing; files of the same names are
    /// replaced, nothing else is touched).
    /// - Throws: ``FixtureError`` for counts too small to make the source, or the file system's error.
    @discardableResult
    public func write(to directory: URL) throws -> Summary {
        guard spokes >= 1 else { throw FixtureError("a source needs at least one spoke") }
        guard objects >= Self.minimumObjects else { throw FixtureError("a source needs at least \(Self.minimumObjects) objects") }
        guard policies >= 2 else { throw FixtureError("a source needs at least 2 policies (fleet-baseline and canary)") }
        var files = 0
        var bytes = 0
        func put(_ path: String, _ text: String) throws {
            try Self.writeAtomically(text, to: directory.appendingPathComponent(path))
            files += 1
            bytes += text.utf8.count
        }
        let clusters = self.clusters()
        for start in stride(from: 0, to: spokes, by: Self.clustersPerFile) {
            let part = clusters[start..<min(spokes, start + Self.clustersPerFile)]
            try put(Self.inventoryFile(forSpoke: start), Self.documents(part.map(Self.managedCluster)))
            try put(
                "inventory/properties-\(Self.pad(start / Self.clustersPerFile, 3)).yaml",
                Self.documents(part.map(Self.propertiesConfigMap)))
        }
        try put("workloads/fleet-system/baseline.yaml", Self.documents(Self.baseline()))
        try put(Self.allSpokesFile, fleetSettings())
        let apps = appObjects()
        for (app, texts) in apps.enumerated() {
            for start in stride(from: 0, to: texts.count, by: Self.objectsPerFile) {
                try put(
                    "workloads/\(Self.appName(app))/objects-\(Self.pad(start / Self.objectsPerFile, 2)).yaml",
                    Self.documents(Array(texts[start..<min(texts.count, start + Self.objectsPerFile)])))
            }
        }
        let policyTexts = policyDocuments(apps: apps.count)
        for start in stride(from: 0, to: policyTexts.count, by: Self.policiesPerFile) {
            try put(
                "policies/policies-\(Self.pad(start / Self.policiesPerFile, 2)).yaml",
                Self.documents(Array(policyTexts[start..<min(policyTexts.count, start + Self.policiesPerFile)])))
        }
        return Summary(files: files, bytes: bytes, spokes: spokes, objects: objects, policies: policies)
    }

    /// The inventory file that holds spoke `index`.
    public static func inventoryFile(forSpoke index: Int) -> String {
        "inventory/clusters-\(pad(index / clustersPerFile, 3)).yaml"
    }

    /// Writes `text` to a temporary file beside `url`, then renames it over `url`: a reader sees
    /// the old file or the new one, never half of one.
    static func writeAtomically(_ text: String, to url: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try Data(text.utf8).write(to: temp)
            guard rename(temp.path, url.path) == 0 else {
                throw FixtureError("cannot rename \(temp.path) to \(url.path): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? fm.removeItem(at: temp)
            throw error
        }
    }

    static func documents(_ texts: [String]) -> String { texts.joined(separator: "---\n") }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
