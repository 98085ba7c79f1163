import FlotillaModel
import FlotillaSource
import Foundation
import Testing

/// The per-file reload: only changed files are parsed, and only the spokes a change touches
/// get a new bundle.
struct SourceCacheTests {
    static let inventory = """
        apiVersion: cluster.open-cluster-management.io/v1
        kind: ManagedCluster
        metadata: {name: eu-1, labels: {region: eu}}
        ---
        apiVersion: cluster.open-cluster-management.io/v1
        kind: ManagedCluster
        metadata: {name: us-1, labels: {region: us}}
        """
    static func policy(_ region: String) -> String {
        """
        apiVersion: control.kubestellar.io/v1alpha1
        kind: BindingPolicy
        metadata: {name: \(region)}
        spec:
          clusterSelectors:
          - matchLabels: {region: \(region)}
          downsync:
          - objectSelectors:
            - matchLabels: {region: \(region)}
        """
    }
    static func configMap(_ name: String, region: String, value: String) -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: \(name), namespace: shop, labels: {region: \(region)}}
        data: {v: "\(value)"}
        """
    }
    static let files: [String: String] = [
        "inventory.yaml": inventory,
        "policies/eu.yaml": policy("eu"),
        "policies/us.yaml": policy("us"),
        "apps/eu.yaml": configMap("eu-app", region: "eu", value: "1"),
        "apps/us.yaml": configMap("us-app", region: "us", value: "1"),
    ]

    /// A cache and planner that have read the source once.
    struct Reader {
        let source: TemporarySource
        var cache = SourceCache()
        var planner = IncrementalPlanner()

        init(_ files: [String: String] = SourceCacheTests.files) throws {
            source = try TemporarySource(files)
            _ = try step()
        }

        mutating func step() throws -> (changes: SourceCache.Changes, spokes: Set<String>, rendered: Int) {
            let (fleet, changes) = try cache.loadFleet(source.loader)
            let update = planner.update(fleet)
            return (changes, update.changedSpokes, update.statistics.spokesRendered)
        }
    }

    @Test func nothingChangedParsesNothingAndChangesNoSpoke() throws {
        var reader = try Reader()
        let (changes, spokes, rendered) = try reader.step()
        #expect(changes == SourceCache.Changes())
        #expect(spokes.isEmpty)
        #expect(rendered == 0)
    }

    @Test func anEditedFileIsTheOnlyOneParsedAndTouchesOnlyItsSpokes() throws {
        var reader = try Reader()
        try reader.source.write("apps/eu.yaml", Self.configMap("eu-app", region: "eu", value: "2"))
        let (changes, spokes, rendered) = try reader.step()
        #expect(changes.edited == ["apps/eu.yaml"])
        #expect(changes.added.isEmpty && changes.removed.isEmpty)
        #expect(spokes == ["eu-1"])
        #expect(rendered == 1)
        let objects = try reader.cache.objects()
        #expect(objects.contains { $0.ref.name == "eu-app" && $0.tree["data"] == .object(["v": .string("2")]) })
    }

    @Test func addedAndRemovedFilesAreSeen() throws {
        var reader = try Reader()
        try reader.source.write("apps/more.yaml", Self.configMap("us-extra", region: "us", value: "1"))
        var step = try reader.step()
        #expect(step.changes.added == ["apps/more.yaml"])
        #expect(step.spokes == ["us-1"])
        try FileManager.default.removeItem(at: reader.source.root.appendingPathComponent("apps/more.yaml"))
        step = try reader.step()
        #expect(step.changes.removed == ["apps/more.yaml"])
        #expect(step.changes.parsed.isEmpty)
        #expect(step.spokes == ["us-1"])
        #expect(try reader.cache.objects().contains { $0.ref.name == "us-extra" } == false)
    }

    @Test func aRenamedFileOrAnObjectMovedBetweenFilesChangesNoBundle() throws {
        var reader = try Reader()
        let fm = FileManager.default
        try fm.moveItem(
            at: reader.source.root.appendingPathComponent("apps/eu.yaml"), to: reader.source.root.appendingPathComponent("apps/europe.yaml"))
        var step = try reader.step()
        #expect(step.changes.removed == ["apps/eu.yaml"])
        #expect(step.changes.added == ["apps/europe.yaml"])
        #expect(step.spokes.isEmpty)
        // The us object moves into the europe file: no duplicate, no bundle change.
        try reader.source.write("apps/europe.yaml", Self.configMap("eu-app", region: "eu", value: "1") + "\n---\n" + Self.configMap("us-app", region: "us", value: "1"))
        try reader.source.write("apps/us.yaml", "")
        step = try reader.step()
        #expect(Set(step.changes.edited) == ["apps/europe.yaml", "apps/us.yaml"])
        #expect(step.spokes.isEmpty)
        #expect(try reader.cache.objects().filter { $0.ref.name == "us-app" }.map(\.origin.file) == ["apps/europe.yaml"])
    }

    @Test func aFileThatTurnsInvalidNamesItselfAndOnlyItIsReadOnceFixed() throws {
        var reader = try Reader()
        try reader.source.write("apps/us.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [broken\n")
        #expect {
            _ = try reader.step()
        } throws: { error in
            let errors = (error as? SourceErrors)?.errors ?? []
            return !errors.isEmpty && errors.allSatisfy { $0.location.file == "apps/us.yaml" }
        }
        // The planner never saw the broken source: its last good plan stands.
        try reader.source.write("apps/us.yaml", Self.configMap("us-app", region: "us", value: "3"))
        let step = try reader.step()
        #expect(step.changes.edited == ["apps/us.yaml"])
        #expect(step.spokes == ["us-1"])
    }

    @Test func aTouchedFileIsReadButNotParsedAgain() throws {
        var reader = try Reader()
        let path = reader.source.root.appendingPathComponent("apps/eu.yaml").path
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: path)
        let step = try reader.step()
        #expect(step.changes.touched == ["apps/eu.yaml"])
        #expect(step.changes.isEmpty)
        #expect(step.spokes.isEmpty)
    }

    @Test func theCacheGivesWhatAFullLoadGives() throws {
        var reader = try Reader()
        try reader.source.write("apps/eu.yaml", Self.configMap("eu-app", region: "eu", value: "9"))
        _ = try reader.step()
        let full = try reader.source.loader.loadObjects()
        let cached = try reader.cache.objects()
        #expect(cached.map(\.ref) == full.map(\.ref))
        #expect(cached.map(\.tree) == full.map(\.tree))
        #expect(cached.map(\.origin) == full.map(\.origin))
    }
}
