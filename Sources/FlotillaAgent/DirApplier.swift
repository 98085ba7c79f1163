import FlotillaConcurrency
import FlotillaModel
import FlotillaRendering
import FlotillaWire
import Foundation

/// Writes each object as a YAML file into a directory and removes the files of objects no
/// longer wanted; exactly the auto-deploy manifests directory of K3s and RKE2.
///
/// Files are named `flotilla--NAMESPACE--KIND[.GROUP]--NAME.yaml` (`_` for cluster-scoped) and
/// written through a temporary file `.flotilla--….PID.tmp` and `rename`, so K3s never reads half
/// a file. Whatever a bundle says, the applier touches only entries directly inside its
/// directory: an object whose file name is not one plain entry fails, removal takes only regular
/// `flotilla--*.yaml` files, and links are never followed. Files without the `flotilla--` prefix
/// are never touched.
public struct DirApplier: Applier {
    public let directory: String
    public var name: String { "dir:\(directory)" }
    static let prefix = "flotilla--"

    public init(directory: String) { self.directory = directory }

    /// The stable file name of an object.
    public static func fileName(for ref: ObjectRef) -> String {
        let ns = ref.namespace.isEmpty ? "_" : ref.namespace
        let kind = ref.group.isEmpty ? ref.kind.lowercased() : "\(ref.kind.lowercased()).\(ref.group)"
        return "\(prefix)\(ns)--\(kind)--\(ref.name).yaml"
    }

    /// The object's file name when it is one plain entry of a directory.
    /// - Throws: ``DirApplierError/unsafeFileName(_:reason:)`` for `/`, NUL or any other control
    ///   character, or a leading `.`: the agent refuses such bundles, but the applier must not
    ///   depend on it.
    static func validatedFileName(for ref: ObjectRef) throws(DirApplierError) -> String {
        let file = fileName(for: ref)
        if file.contains("/") { throw .unsafeFileName(file, reason: "contains '/'") }
        if file.unicodeScalars.contains(where: KubernetesName.isControl) {
            throw .unsafeFileName(file, reason: "contains a control character")
        }
        if file.hasPrefix(".") { throw .unsafeFileName(file, reason: "starts with '.'") }
        return file
    }

    public func apply(_ bundle: SpokeBundle) async -> ApplyOutcome {
        let directory = self.directory
        return await BlockingPool.run { Self.applySync(bundle, directory: directory) }
    }

    static func applySync(_ bundle: SpokeBundle, directory: String) -> ApplyOutcome {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            return ApplyOutcome(objects: [], message: "cannot create \(directory): \(error.localizedDescription)")
        }
        removeStaleTemporaryFiles(in: directory)
        var results: [ObjectStatus] = []
        var wanted: Set<String> = []
        for item in bundle.items {
            do {
                let file = try validatedFileName(for: item.ref)
                wanted.insert(file)
                results.append(ObjectStatus(ref: item.ref, state: try write(item, to: try path(of: file, in: directory), in: directory)))
            } catch {
                results.append(ObjectStatus(ref: item.ref, state: .failed, message: "\(error)"))
            }
        }
        let present = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in present.sorted() where file.hasPrefix(prefix) && file.hasSuffix(".yaml") && !wanted.contains(file) {
            let ref = removedRef(file)
            do {
                try removeRegularFile(try path(of: file, in: directory))
                results.append(ObjectStatus(ref: ref, state: .removed))
            } catch {
                results.append(ObjectStatus(ref: ref, state: .failed, message: "cannot remove: \(error)"))
            }
        }
        return ApplyOutcome(objects: results)
    }

    /// Writes one object unless its file already holds it (or exists, for create-only objects).
    static func write(_ item: SpokeBundle.Item, to path: String, in directory: String) throws -> ObjectStatus.State {
        let data = Data(try ManifestYAML.render(object: item.object).utf8)
        // Only a regular file counts as present: a link in its place is replaced, never read.
        if let existing = readRegularFile(path) {
            if item.createOnly || existing == data { return .unchanged }
        }
        try writeAtomically(data, to: path, in: directory)
        return .applied
    }

    /// `directory/file`, once it is certain that it names an entry directly inside `directory`.
    static func path(of file: String, in directory: String) throws(DirApplierError) -> String {
        let path = (directory as NSString).appendingPathComponent(file)
        // Checked on the standardized form (`.` and `..` resolved), but the path used stays the
        // one built from `directory` as given, which is what the kernel resolves everywhere else.
        let base = URL(fileURLWithPath: directory, isDirectory: true).standardized
        let resolved = URL(fileURLWithPath: path, isDirectory: false).standardized
        guard resolved.deletingLastPathComponent().path == base.path, resolved.lastPathComponent == file else {
            throw .outsideDirectory(resolved.path, directory: base.path)
        }
        return path
    }

    /// The identity encoded in a file name, for reporting a removal.
    static func removedRef(_ file: String) -> ObjectRef {
        let parts = file.dropFirst(prefix.count).dropLast(5).components(separatedBy: "--")
        guard parts.count == 3 else { return ObjectRef(apiVersion: "", kind: "", namespace: "", name: file) }
        let kindGroup = parts[1].split(separator: ".", maxSplits: 1).map(String.init)
        return ObjectRef(
            apiVersion: kindGroup.count > 1 ? kindGroup[1] : "", kind: kindGroup[0],
            namespace: parts[0] == "_" ? "" : parts[0], name: parts[2])
    }
}
