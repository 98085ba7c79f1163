import FlotillaModel
import Yams

/// Renders objects as a multi-document YAML stream (`---` between documents), keys sorted, so the
/// same bundle always prints the same text; strings that YAML would read back as another type
/// (`"true"`, `"80"`, `"null"`) are quoted.
public enum ManifestYAML {
    /// The YAML text of `objects`, one document each, in the order given.
    /// - Throws: Yams' emitter error (only for strings it cannot encode).
    public static func render(_ objects: [[String: Value]]) throws -> String {
        var out = ""
        for object in objects {
            out += "---\n"
            out += try Yams.serialize(node: node(.object(object)), indent: 2, width: -1, allowUnicode: true)
        }
        return out
    }

    static func node(_ value: Value) -> Node {
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
            return Node(a.map(node), Tag(.seq))
        case .object(let o):
            let keys = o.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            return Node(keys.map { (node(.string($0)), node(o[$0]!)) }, Tag(.map))
        }
    }
}
