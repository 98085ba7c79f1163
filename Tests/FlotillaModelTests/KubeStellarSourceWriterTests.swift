import FlotillaFixtures
import FlotillaModel
import FlotillaSource
import Foundation
import Testing

/// The source `flotilla bench source` writes: loaded by the real loader, planned by the real
/// planner, and changed one file at a time.
struct KubeStellarSourceWriterTests {
    final class Directory {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-writer-\(UUID().uuidString)")
        deinit { try? FileManager.default.removeItem(at: url) }
    }

    static func load(_ dir: Directory) throws -> (FleetSource, Plan) {
        let fleet = try SourceLoader(root: dir.url).loadFleet()
        return (fleet, Planner.plan(fleet))
    }

    static func hashes(_ plan: Plan) -> [String: String] {
        Dictionary(uniqueKeysWithValues: plan.spokes.map { ($0.spoke.name, $0.hash ?? "") })
    }

    @Test(arguments: [(50, 40, 5), (250, 300, 30), (1, 10, 2)])
    func whatItWritesLoadsWithItsCounts(_ spokes: Int, _ objects: Int, _ policies: Int) throws {
        let dir = Directory()
        let writer = KubeStellarSourceWriter(spokes: spokes, objects: objects, policies: policies)
        let summary = try writer.write(to: dir.url)
        let (fleet, plan) = try Self.load(dir)
        #expect(fleet.spokes.count == spokes)
        #expect(fleet.spokes.map(\.name) == writer.spokeNames)
        #expect(fleet.workloads.count == objects)
        #expect(fleet.policies.count == policies)
        #expect(summary.files == (try SourceLoader(root: dir.url).files().count))
        #expect(fleet.spokes.allSatisfy { $0.properties["storeNumber"] != nil }, "every cluster has its property ConfigMap")
        #expect(plan.failures.isEmpty, "\(plan.failures)")
        #expect(plan.warnings.isEmpty, "\(plan.warnings)")
        for sp in plan.spokes {
            #expect(sp.error == nil)
            #expect(sp.placements.contains { $0.ref == KubeStellarSourceWriter.allSpokesObject }, "\(sp.spoke.name)")
            #expect(!sp.placements.contains { $0.ref == KubeStellarSourceWriter.canaryObject }, "no canary at first")
        }
        // The templated identity is expanded per spoke.
        let first = try #require(plan.spokes.first)
        let payload = String(decoding: try #require(first.payload), as: UTF8.self)
        #expect(payload.contains("\"store\":\"\(first.spoke.name)\""))
    }

    @Test func theSameSeedWritesTheSameBytes() throws {
        let a = Directory(), b = Directory()
        try KubeStellarSourceWriter(spokes: 120, objects: 100, policies: 12).write(to: a.url)
        try KubeStellarSourceWriter(spokes: 120, objects: 100, policies: 12).write(to: b.url)
        let files = try SourceLoader(root: a.url).files()
        #expect(files == (try SourceLoader(root: b.url).files()))
        for f in files {
            #expect(try Data(contentsOf: a.url.appendingPathComponent(f)) == Data(contentsOf: b.url.appendingPathComponent(f)), "\(f)")
        }
        let c = Directory()
        try KubeStellarSourceWriter(spokes: 120, objects: 100, policies: 12, seed: 7).write(to: c.url)
        let inventory = KubeStellarSourceWriter.inventoryFile(forSpoke: 0)
        #expect(
            try Data(contentsOf: a.url.appendingPathComponent(inventory)) != Data(contentsOf: c.url.appendingPathComponent(inventory)),
            "another seed, other labels")
    }

    /// At the benchmark's size the shape is the measured source's: 30–45 objects per spoke.
    @Test func theDefaultShapePlacesThirtyToFortyFiveObjectsPerSpoke() throws {
        let dir = Directory()
        try KubeStellarSourceWriter(spokes: 2_000, objects: 2_000, policies: 200).write(to: dir.url)
        let (_, plan) = try Self.load(dir)
        let placements = plan.spokes.reduce(0) { $0 + $1.placements.count }
        let perSpoke = Double(placements) / Double(plan.spokes.count)
        #expect((30...45).contains(perSpoke), "\(perSpoke) objects per spoke")
        #expect(plan.spokes.allSatisfy { $0.placements.count >= KubeStellarSourceWriter.baselineObjects - 1 })
    }

    @Test func theEverySpokeChangeChangesEveryBundle() throws {
        let dir = Directory()
        var writer = KubeStellarSourceWriter(spokes: 150, objects: 60, policies: 8)
        try writer.write(to: dir.url)
        let before = Self.hashes(try Self.load(dir).1)
        let change = try writer.changeEverySpoke(in: dir.url)
        #expect(change.file == KubeStellarSourceWriter.allSpokesFile)
        #expect(change.spokes == writer.spokeNames)
        let after = Self.hashes(try Self.load(dir).1)
        #expect(before.keys.sorted() == after.keys.sorted())
        #expect(before.filter { after[$0.key] == $0.value }.isEmpty, "every spoke's bundle changed")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.url.appendingPathComponent("workloads/fleet-system").path)
        #expect(left.filter { $0.hasPrefix(".") }.isEmpty, "no temporary file left: \(left)")
    }

    @Test func theOneSpokeChangeChangesOneBundleAndTogglesBack() throws {
        let dir = Directory()
        var writer = KubeStellarSourceWriter(spokes: 150, objects: 60, policies: 8)
        try writer.write(to: dir.url)
        let (_, plan0) = try Self.load(dir)
        let before = Self.hashes(plan0)
        let change = try writer.changeOneSpoke(in: dir.url, index: 123)
        #expect(change.spokes == ["store-00123"])
        #expect(change.file == "inventory/clusters-001.yaml")
        let (_, plan1) = try Self.load(dir)
        let after = Self.hashes(plan1)
        #expect(after.filter { before[$0.key] != $0.value }.map(\.key) == ["store-00123"])
        let gained = Set(try #require(plan1[spoke: "store-00123"]).placements.map(\.ref))
            .subtracting(try #require(plan0[spoke: "store-00123"]).placements.map(\.ref))
        #expect(gained == [KubeStellarSourceWriter.canaryObject])
        // The second change takes the label away again: back to the first bundle.
        _ = try writer.changeOneSpoke(in: dir.url, index: 123)
        #expect(Self.hashes(try Self.load(dir).1) == before)
    }
}
