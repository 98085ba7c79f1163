import FlotillaModel
import Foundation
import Yams

/// Writes each object as a YAML file into a directory and removes the files of objects no
/// longer wanted; exactly the auto-deploy manifests directory of K3s and RKE2.
///
/// Files are named `flotilla--NAMESPACE--KIND[.GROUP]--NAME.yaml` (`_` for cluster-scoped) and
/// written through a temporary file and `rename`, so K3s never reads half a file. Files
/// without the `flotilla--` prefix are never touched.
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

    public func apply(_ bundle: SpokeBundle) async -> ApplyOutcome {
        let directory = self.directory
        return await BlockingIO.run { Self.applySync(bundle, directory: directory) }
    }

    static func applySync(_ bundle: SpokeBundle, directory: String) -> ApplyOutcome {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            return ApplyOutcome(objects: [], message: "cannot create \(directory): \(error.localizedDescription)")
        }
        var results: [ObjectStatus] = []
        var wanted: Set<String> = []
        for item in bundle.items {
            let file = fileName(for: item.ref)
            wanted.insert(file)
            let path = (directory as NSString).appendingPathComponent(file)
            do {
                let text = try YAMLRenderer.render(item.object)
                if item.createOnly && fm.fileExists(atPath: path) {
                    results.append(ObjectStatus(ref: item.ref, state: .unchanged))
                    continue
                }
                if let existing = fm.contents(atPath: path), existing == Data(text.utf8) {
                    results.append(ObjectStatus(ref: item.ref, state: .unchanged))
                    continue
                }
                try writeAtomically(Data(text.utf8), to: path, in: directory)
                results.append(ObjectStatus(ref: item.ref, state: .applied))
            } catch {
                results.append(ObjectStatus(ref: item.ref, state: .failed, message: "\(error)"))
            }
        }
        let present = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
        for file in present.sorted() where file.hasPrefix(prefix) && file.hasSuffix(".yaml") && !wanted.contains(file) {
            let path = (directory as NSString).appendingPathComponent(file)
            let ref = removedRef(file)
            do {
                try fm.removeItem(atPath: path)
                results.append(ObjectStatus(ref: ref, state: .removed))
            } catch {
                results.append(ObjectStatus(ref: ref, state: .failed, message: "cannot remove \(file): \(error.localizedDescription)"))
            }
        }
        return ApplyOutcome(objects: results)
    }

    static func writeAtomically(_ data: Data, to path: String, in directory: String) throws {
        let tmp = (directory as NSString).appendingPathComponent(".\((path as NSString).lastPathComponent).\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: tmp, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: tmp])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: tmp))
        try handle.write(contentsOf: data)
        try handle.synchronize()
        try handle.close()
        guard rename(tmp, path) == 0 else {
            let message = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: tmp)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "rename to \(path): \(message)"])
        }
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
