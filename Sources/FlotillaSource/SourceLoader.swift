import FlotillaModel
import Foundation
import Yams

/// Reads a GitOps directory: every `.yaml`, `.yml` and `.json` file below it (hidden entries such
/// as `.git` skipped), each possibly holding several documents, into objects that remember
/// their file and line. A list (`kind: List`, or any kind ending in `List`, with an `items`
/// array: what `kubectl get -o yaml` writes and `kubectl apply -f` takes) stands for its items,
/// each remembering its own line.
public struct SourceLoader: Sendable {
    public var root: URL

    public init(root: URL) { self.root = root }

    /// Loads and classifies the whole source.
    /// - Throws: ``SourceErrors`` with every problem found, each naming file, line, object and field.
    public func loadFleet() throws(SourceErrors) -> FleetSource {
        try FleetSource.classify(try loadObjects())
    }

    /// The source files, relative to the root, sorted.
    public func files() throws(SourceErrors) -> [String] {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
            throw SourceErrors([SourceError(location: SourceLocation(file: root.path, line: 0), message: "source directory does not exist")])
        }
        guard let walker = fm.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else {
            return []
        }
        var out: [String] = []
        let base = root.standardizedFileURL.path
        for case let url as URL in walker {
            let ext = url.pathExtension.lowercased()
            guard ["yaml", "yml", "json"].contains(ext) else { continue }
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            var rel = url.standardizedFileURL.path
            if rel.hasPrefix(base + "/") { rel.removeFirst(base.count + 1) }
            out.append(rel)
        }
        return out.sorted()
    }

    /// A cheap fingerprint of the tree (paths, sizes, modification times): changes when a file does.
    public func fingerprint() -> String {
        guard let files = try? files() else { return "missing" }
        var parts: [String] = []
        for f in files {
            let attrs = try? FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(f).path)
            let size = (attrs?[.size] as? NSNumber)?.int64Value ?? -1
            let mtime = (attrs?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            parts.append("\(f)|\(size)|\(mtime)")
        }
        return parts.joined(separator: "\n")
    }

    /// Parses every file into objects, collecting every error before throwing.
    public func loadObjects() throws(SourceErrors) -> [ManifestObject] {
        var errors: [SourceError] = []
        var objects: [ManifestObject] = []
        for file in try files() {
            let text: String
            do {
                text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            } catch {
                errors.append(SourceError(location: SourceLocation(file: file, line: 0), message: "cannot read: \(error.localizedDescription)"))
                continue
            }
            Self.parse(text: text, file: file, into: &objects, errors: &errors)
        }
        guard errors.isEmpty else { throw SourceErrors(errors) }
        return objects
    }

    /// Parses one file's text (multi-document YAML or JSON).
    public static func parse(text: String, file: String, into objects: inout [ManifestObject], errors: inout [SourceError]) {
        do {
            // The sequence parks a parse error in `error` and ends; it must be checked after the loop.
            var documents = try Yams.compose_all(yaml: text)
            while let node = documents.next() {
                let line = node.mark?.line ?? 1
                let loc = SourceLocation(file: file, line: line)
                let value: Value
                do {
                    value = try NodeConverter.value(of: node)
                } catch {
                    errors.append(SourceError(location: loc, message: error.message))
                    continue
                }
                if value == .null { continue }
                guard case .object(let tree) = value else {
                    errors.append(SourceError(location: loc, message: "a document must be a Kubernetes object (a map), found \(value.kindDescription)"))
                    continue
                }
                collect(tree, node: node, at: loc, depth: 0, into: &objects, errors: &errors)
            }
            if let error = documents.error { throw error }
        } catch let error as YamlError {
            errors.append(SourceError(location: SourceLocation(file: file, line: Self.line(of: error)), message: "YAML error: \(error)"))
        } catch {
            errors.append(SourceError(location: SourceLocation(file: file, line: 0), message: "YAML error: \(error)"))
        }
    }

    /// How deep lists may nest in lists.
    static let maxListDepth = 8

    /// Appends the object `tree` is, or the items of the list it is, to `objects`.
    ///
    /// Like kubectl (`meta.IsListType`, and the unstructured decoder that gives items without
    /// `apiVersion` and `kind` the list's `apiVersion` and its kind less `List`), a map whose kind
    /// ends in `List` and whose `items` is an array is a list; its own `metadata` is ignored.
    static func collect(
        _ tree: [String: Value], node: Node, at loc: SourceLocation, depth: Int,
        into objects: inout [ManifestObject], errors: inout [SourceError]
    ) {
        guard let kind = tree["kind"]?.stringValue, kind.hasSuffix("List") else {
            if let obj = ObjectValidator.object(from: tree, at: loc, errors: &errors) { objects.append(obj) }
            return
        }
        guard case .array(let items)? = tree["items"] else {
            if kind == "List" {
                errors.append(
                    SourceError(
                        location: loc, object: "List", field: "items",
                        message: "a List needs an items array, found \(tree["items"]?.kindDescription ?? "nothing")"))
            } else if let obj = ObjectValidator.object(from: tree, at: loc, errors: &errors) {
                objects.append(obj)
            }
            return
        }
        guard depth < maxListDepth else {
            errors.append(SourceError(location: loc, object: kind, field: "items", message: "lists nest more than \(maxListDepth) deep"))
            return
        }
        let itemNodes = node.mapping?["items"]?.sequence.map(Array.init) ?? []
        let itemKind = String(kind.dropLast("List".count))
        for (i, item) in items.enumerated() {
            let itemNode = i < itemNodes.count ? itemNodes[i] : node
            let itemLoc = SourceLocation(file: loc.file, line: itemNode.mark?.line ?? loc.line)
            guard case .object(var itemTree) = item else {
                errors.append(
                    SourceError(
                        location: itemLoc, object: kind, field: "items[\(i)]",
                        message: "a list item must be a Kubernetes object (a map), found \(item.kindDescription)"))
                continue
            }
            if itemTree["apiVersion"] == nil && itemTree["kind"] == nil && !itemKind.isEmpty {
                itemTree["apiVersion"] = tree["apiVersion"]
                itemTree["kind"] = .string(itemKind)
            }
            collect(itemTree, node: itemNode, at: itemLoc, depth: depth + 1, into: &objects, errors: &errors)
        }
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return 0
        }
    }
}
