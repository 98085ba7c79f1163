import FlotillaModel
import Yams

/// The one YAML writer: what the `dir:` applier writes and what `plan -o yaml` prints, so the
/// plan shows the exact files a spoke gets. Objects read the way people write manifests
/// (`apiVersion`, `kind`, `metadata` first, then the other keys sorted), the same object always
/// gives the same text, and strings YAML would read back as another type (`"true"`, `"80"`,
/// `"null"`, a key `"on"`) are quoted.
public enum ManifestYAML {
    /// A multi-document stream of `objects` (`---` before each), in the order given.
    /// - Throws: Yams' emitter error (only for strings it cannot encode).
    public static func render(_ objects: [[String: Value]]) throws -> String {
        var out = ""
        for object in objects {
            out += "---\n"
            out += try render(object: object)
        }
        return out
    }

    /// One object as one document, without a `---` line: a manifest file.
    public static func render(object: [String: Value]) throws -> String {
        try Yams.serialize(node: node(.object(object), top: true), indent: 2, width: -1, allowUnicode: true)
    }

    static let leading = ["apiVersion", "kind", "metadata"]

    static func node(_ value: Value, top: Bool = false) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .int(let i): return Node(String(i), Tag(.int))
        case .double:
            return Node(String(decoding: value.canonicalJSON, as: UTF8.self), Tag(.float))
        case .string(let s):
            let plain = Node(s)
            if plain.tag.description == Tag.Name.str.rawValue && !s.isEmpty { return plain }
            return Node(s, Tag(.str), .doubleQuoted)
        case .array(let a):
            return Node(a.map { node($0) }, Tag(.seq))
        case .object(let o):
            let first = top ? leading.filter { o[$0] != nil } : []
            let rest = o.keys.filter { !first.contains($0) }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            return Node((first + rest).map { (node(.string($0)), node(o[$0]!)) }, Tag(.map))
        }
    }
}
