import FlotillaAgent
import FlotillaModel
import FlotillaTestSupport
import Foundation
import Testing

/// The `dir:` applier against a real directory.
struct DirApplierTests {
    static func configMap(_ name: String, namespace: String = "default", value: String = "1") -> SpokeBundle.Item {
        SpokeBundle.Item(
            ref: ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: namespace, name: name),
            object: [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": ["name": .string(name), "namespace": .string(namespace)], "data": ["value": .string(value)],
            ])
    }

    @Test func prunesExactlyTheObjectsThatLeftTheBundle() async throws {
        let dir = try TemporaryDirectory.make(prefix: "dir-applier").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Somebody else's manifest in the same directory must survive every apply.
        try "kind: Foreign\n".write(toFile: dir + "/k3s-own.yaml", atomically: true, encoding: .utf8)
        let applier = DirApplier(directory: dir)
        let first = await applier.apply(SpokeBundle(items: [Self.configMap("a"), Self.configMap("b"), Self.configMap("c", namespace: "ops")]))
        #expect(first.ok)
        #expect(first.objects.map(\.state) == [.applied, .applied, .applied])
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(files == [
            "flotilla--default--configmap--a.yaml", "flotilla--default--configmap--b.yaml", "flotilla--ops--configmap--c.yaml",
            "k3s-own.yaml",
        ])
        let second = await applier.apply(SpokeBundle(items: [Self.configMap("a"), Self.configMap("c", namespace: "ops", value: "2")]))
        #expect(second.ok)
        let states = Dictionary(uniqueKeysWithValues: second.objects.map { ($0.name, $0.state) })
        #expect(states == ["a": .unchanged, "b": .removed, "c": .applied])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == [
            "flotilla--default--configmap--a.yaml", "flotilla--ops--configmap--c.yaml", "k3s-own.yaml",
        ])
        let c = try String(contentsOfFile: dir + "/flotilla--ops--configmap--c.yaml", encoding: .utf8)
        #expect(c.hasPrefix("apiVersion: v1\nkind: ConfigMap\nmetadata:"))
        #expect(c.contains("value: '2'") || c.contains("value: \"2\""), "a string that looks like a number stays a string: \(c)")
        #expect(try String(contentsOfFile: dir + "/k3s-own.yaml", encoding: .utf8) == "kind: Foreign\n")
    }

    @Test func reapplyingTheSameBundleChangesNothing() async throws {
        let dir = try TemporaryDirectory.make(prefix: "dir-applier").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let applier = DirApplier(directory: dir)
        let bundle = SpokeBundle(items: [Self.configMap("a"), Self.configMap("b")])
        _ = await applier.apply(bundle)
        let path = dir + "/flotilla--default--configmap--a.yaml"
        let before = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        let again = await applier.apply(bundle)
        #expect(again.objects.allSatisfy { $0.state == .unchanged })
        let after = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        #expect(before == after)
    }

    @Test func createOnlyObjectsAreNeverOverwritten() async throws {
        let dir = try TemporaryDirectory.make(prefix: "dir-applier").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let applier = DirApplier(directory: dir)
        var item = Self.configMap("seed", value: "first")
        item.createOnly = true
        _ = await applier.apply(SpokeBundle(items: [item]))
        item.object["data"] = ["value": "second"]
        let outcome = await applier.apply(SpokeBundle(items: [item]))
        #expect(outcome.objects.first?.state == .unchanged)
        let text = try String(contentsOfFile: dir + "/flotilla--default--configmap--seed.yaml", encoding: .utf8)
        #expect(text.contains("first"))
    }

    @Test func stableFileNamesIncludeGroupAndScope() {
        #expect(DirApplier.fileName(for: ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "pos", name: "web"))
            == "flotilla--pos--deployment.apps--web.yaml")
        #expect(DirApplier.fileName(for: ObjectRef(apiVersion: "v1", kind: "Namespace", namespace: "", name: "pos"))
            == "flotilla--_--namespace--pos.yaml")
    }
}
