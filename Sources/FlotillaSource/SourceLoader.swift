import FlotillaModel
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a GitOps directory: every `.yaml`, `.yml` and `.json` file below it (hidden entries such
/// as `.git` skipped), each possibly holding several documents, into objects that remember
/// their file and line. A list (`kind: List`, or any kind ending in `List`, with an `items`
/// array: what `kubectl get -o yaml` writes and `kubectl apply -f` takes) stands for its items,
/// each remembering its own line.
///
/// Each file is read in one go and parsed by libyaml's event parser straight into ``Value``
/// trees (``DocumentBuilder``), scalars typed as Yams' default resolver typed them
/// (``ScalarResolver``).
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
        return SourceFiles.list(root: root.path)
    }

    /// A cheap fingerprint of the tree (paths, sizes, modification times): changes when a file does.
    public func fingerprint() -> String {
        guard let files = try? files() else { return "missing" }
        // stat(2) directly: the hub asks every poll (ten times a second in benchmarks), and
        // Foundation's attribute dictionaries cost more than the walk itself.
        var out = ""
        out.reserveCapacity(files.count * 64)
        for f in files {
            var st = stat()
            if stat(root.appendingPathComponent(f).path, &st) == 0 {
                out += "\(f)|\(st.st_size)|\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)|\(st.st_ino)\n"
            } else {
                out += "\(f)|-1\n"
            }
        }
        return out
    }

    /// Parses every file into objects, collecting every error before throwing.
    public func loadObjects() throws(SourceErrors) -> [ManifestObject] {
        var errors: [SourceError] = []
        var objects: [ManifestObject] = []
        for file in try files() {
            let bytes: Data
            do {
                bytes = try Data(contentsOf: root.appendingPathComponent(file))
            } catch {
                errors.append(SourceError(location: SourceLocation(file: file, line: 0), message: "cannot read: \(error.localizedDescription)"))
                continue
            }
            bytes.withUnsafeBytes { Self.parse(bytes: $0, file: file, into: &objects, errors: &errors) }
        }
        guard errors.isEmpty else { throw SourceErrors(errors) }
        return objects
    }

    /// Parses one file's text (multi-document YAML or JSON).
    public static func parse(text: String, file: String, into objects: inout [ManifestObject], errors: inout [SourceError]) {
        var text = text
        text.withUTF8 { parse(bytes: UnsafeRawBufferPointer($0), file: file, into: &objects, errors: &errors) }
    }

    /// Parses one file's bytes (multi-document YAML or JSON; UTF-8, or UTF-16 with a byte order mark).
    public static func parse(
        bytes: UnsafeRawBufferPointer, file: String, into objects: inout [ManifestObject], errors: inout [SourceError]
    ) {
        var documents = DocumentBuilder(bytes: bytes)
        do {
            while let document = try documents.next() {
                switch document {
                case .invalid(let line, let message):
                    errors.append(SourceError(location: SourceLocation(file: file, line: line), message: message))
                case .value(let value, let lines):
                    let loc = SourceLocation(file: file, line: lines.line)
                    switch value {
                    case .null:
                        continue
                    case .object(let tree):
                        collect(tree, lines: lines, at: loc, depth: 0, into: &objects, errors: &errors)
                    default:
                        errors.append(
                            SourceError(location: loc, message: "a document must be a Kubernetes object (a map), found \(value.kindDescription)"))
                    }
                }
            }
        } catch {
            errors.append(SourceError(location: SourceLocation(file: file, line: error.line), message: "YAML error: \(error)"))
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
        _ tree: [String: Value], lines: DocumentLines, at loc: SourceLocation, depth: Int,
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
        let itemKind = String(kind.dropLast("List".count))
        for (i, item) in items.enumerated() {
            let itemLines = i < lines.items.count ? lines.items[i] : DocumentLines(line: loc.line)
            let itemLoc = SourceLocation(file: loc.file, line: itemLines.line)
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
            collect(itemTree, lines: itemLines, at: itemLoc, depth: depth + 1, into: &objects, errors: &errors)
        }
    }
}
