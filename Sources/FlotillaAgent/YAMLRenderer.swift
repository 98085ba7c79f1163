import FlotillaModel
import Yams

/// Renders an object as YAML the way people write manifests: `apiVersion`, `kind`, `metadata`
/// first, the rest in sorted order, so the same object always gives the same file.
public enum YAMLRenderer {
    public static func render(_ object: [String: Value]) throws -> String {
        try Yams.serialize(node: node(.object(object), top: true))
    }

    static func node(_ value: Value, top: Bool = false) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .int(let i): return Node(String(i), Tag(.int))
        case .double(let d): return Node(String(d), Tag(.float))
        case .string(let s): return Node(s, Tag(.str), needsQuotes(s) ? .doubleQuoted : .any)
        case .array(let a): return Node(a.map { node($0) })
        case .object(let o):
            let first = top ? ["apiVersion", "kind", "metadata"] : []
            let keys = first.filter { o[$0] != nil } + o.keys.filter { !first.contains($0) }.sorted()
            return Node(keys.map { (Node($0), node(o[$0]!)) })
        }
    }

    /// Strings YAML would read back as another type (`"true"`, `"1.0"`, `"null"`) stay strings.
    static func needsQuotes(_ s: String) -> Bool {
        if s.isEmpty { return true }
        let resolved = Resolver.default.resolveTag(of: Node(s))
        return resolved != .str
    }
}
