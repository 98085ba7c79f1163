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

    // MARK: hostile names and leftovers

    /// Entries of a directory, sorted; `[]` when it does not exist.
    static func entries(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }

    @Test func aNameThatClimbsOutOfTheDirectoryIsRefusedAndWritesNothingOutside() async throws {
        let root = try TemporaryDirectory.make(prefix: "dir-escape")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("spoke/manifests").path
        let canary = root.appendingPathComponent("canary").path
        // The directories the traversal walks through: with them, the old applier wrote
        // root/canary/escaped.yaml (and its temporary file next to it).
        for path in [dir + "/flotilla--default--configmap--x", dir + "/.flotilla--default--configmap--x", canary] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        let hostile = Self.configMap("x/../../../canary/escaped")
        let outcome = await DirApplier(directory: dir).apply(SpokeBundle(items: [Self.configMap("fine"), hostile]))
        #expect(Self.entries(canary) == [])
        #expect(Self.entries(root.path) == ["canary", "spoke"])
        #expect(Self.entries(root.appendingPathComponent("spoke").path) == ["manifests"])
        #expect(!outcome.ok)
        let failed = try #require(outcome.objects.first { $0.name == hostile.ref.name })
        #expect(failed.state == .failed)
        #expect(failed.message?.contains("file name") == true, "\(String(describing: failed.message))")
        #expect(outcome.objects.first { $0.name == "fine" }?.state == .applied, "the other objects still apply")
        #expect(Self.entries(dir).filter { $0.hasSuffix(".yaml") } == ["flotilla--default--configmap--fine.yaml"])
    }

    @Test(arguments: ["a\u{0}b", "a\nb", "a\u{0}", "a\rb\u{7f}"])
    func aNameWithNULOrNewlineIsRefusedAndLeavesNoTemporaryFile(_ name: String) async throws {
        let dir = try TemporaryDirectory.make(prefix: "dir-control").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let outcome = await DirApplier(directory: dir).apply(SpokeBundle(items: [Self.configMap(name)]))
        #expect(outcome.objects.map(\.state) == [.failed])
        #expect(Self.entries(dir) == [], "\(Self.entries(dir).map(\.debugDescription))")
    }

    @Test func staleTemporaryFilesFromACrashAreRemovedAtTheNextApply() async throws {
        let dir = try TemporaryDirectory.make(prefix: "dir-stale").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // What a crash between create and rename leaves; and files that are not the applier's.
        let stale = ".flotilla--default--configmap--a.yaml.4242.tmp"
        for file in [stale, ".other.tmp", "flotilla--notes.tmp"] {
            try "half".write(toFile: "\(dir)/\(file)", atomically: false, encoding: .utf8)
        }
        let outcome = await DirApplier(directory: dir).apply(SpokeBundle(items: [Self.configMap("a")]))
        #expect(outcome.ok)
        #expect(Self.entries(dir) == [".other.tmp", "flotilla--default--configmap--a.yaml", "flotilla--notes.tmp"])
    }

    @Test func symlinksNamedLikeItsFilesAreNeverFollowed() async throws {
        let root = try TemporaryDirectory.make(prefix: "dir-symlink")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("manifests").path
        let outsideFile = root.appendingPathComponent("outside.yaml").path
        let outsideDir = root.appendingPathComponent("outside-dir").path
        try FileManager.default.createDirectory(atPath: outsideDir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "kind: Outside\n".write(toFile: outsideFile, atomically: true, encoding: .utf8)
        try "kind: Inside\n".write(toFile: outsideDir + "/keep.yaml", atomically: true, encoding: .utf8)
        let fm = FileManager.default
        // Two links the applier would prune, one it would write.
        try fm.createSymbolicLink(atPath: dir + "/flotilla--default--configmap--gone.yaml", withDestinationPath: outsideFile)
        try fm.createSymbolicLink(atPath: dir + "/flotilla--default--configmap--gonedir.yaml", withDestinationPath: outsideDir)
        try fm.createSymbolicLink(atPath: dir + "/flotilla--default--configmap--a.yaml", withDestinationPath: outsideFile)
        let outcome = await DirApplier(directory: dir).apply(SpokeBundle(items: [Self.configMap("a")]))
        #expect(try String(contentsOfFile: outsideFile, encoding: .utf8) == "kind: Outside\n")
        #expect(try String(contentsOfFile: outsideDir + "/keep.yaml", encoding: .utf8) == "kind: Inside\n")
        #expect(Self.entries(root.path) == ["manifests", "outside-dir", "outside.yaml"])
        // The wanted file replaced its link (rename replaces the link, not its target).
        let a = dir + "/flotilla--default--configmap--a.yaml"
        #expect(try fm.attributesOfItem(atPath: a)[.type] as? FileAttributeType == .typeRegular, "still a link")
        #expect(try String(contentsOfFile: a, encoding: .utf8).contains("kind: ConfigMap"))
        // Links it did not write are left where they are, and said so.
        let states = Dictionary(uniqueKeysWithValues: outcome.objects.map { ($0.name, $0) })
        #expect(states["a"]?.state == .applied)
        for name in ["gone", "gonedir"] {
            #expect(states[name]?.state == .failed, "\(name): \(String(describing: states[name]))")
            #expect(states[name]?.message?.contains("not a regular file") == true)
        }
        #expect(Self.entries(dir) == [
            "flotilla--default--configmap--a.yaml", "flotilla--default--configmap--gone.yaml", "flotilla--default--configmap--gonedir.yaml",
        ])
    }

    @Test func rbacNamesWithAColonAreWritten() async throws {
        let dir = try TemporaryDirectory.make(prefix: "dir-rbac").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ref = ObjectRef(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", namespace: "", name: "system:aggregate-to-admin")
        let item = SpokeBundle.Item(
            ref: ref, object: ["apiVersion": .string(ref.apiVersion), "kind": "ClusterRole", "metadata": ["name": .string(ref.name)]])
        let outcome = await DirApplier(directory: dir).apply(SpokeBundle(items: [item]))
        #expect(outcome.ok)
        #expect(Self.entries(dir) == ["flotilla--_--clusterrole.rbac.authorization.k8s.io--system:aggregate-to-admin.yaml"])
    }

    @Test func stableFileNamesIncludeGroupAndScope() {
        #expect(DirApplier.fileName(for: ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "pos", name: "web"))
            == "flotilla--pos--deployment.apps--web.yaml")
        #expect(DirApplier.fileName(for: ObjectRef(apiVersion: "v1", kind: "Namespace", namespace: "", name: "pos"))
            == "flotilla--_--namespace--pos.yaml")
    }
}
