/// The JSONPath subset KubeStellar's `CustomTransform` accepts in `spec.remove`: `$` followed by
/// member segments, each `.name` (a JSONPath member-name shorthand) or `["string"]` (double
/// quotes, JSON escapes), with no whitespace. Anything else (`[*]`, `[0]`, filters) is refused,
/// as KubeStellar refuses it, rather than silently removing nothing.
public struct JSONPathQuery: Sendable, Hashable, CustomStringConvertible {
    /// The member names from the root down; never empty (the root itself cannot be removed).
    public var members: [String]
    public var source: String

    /// Why a path was refused, with the character offset KubeStellar would name.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "at character \(offset): \(message)" }
    }

    public init(_ source: String) throws(ParseError) {
        self.source = source
        let chars = Array(source.unicodeScalars)
        var i = 0
        guard chars.first == "$" else { throw ParseError(offset: 0, message: "missing root identifier \"$\"") }
        i = 1
        var members: [String] = []
        while i < chars.count {
            switch chars[i] {
            case ".":
                i += 1
                guard i < chars.count, Self.isNameFirst(chars[i]) else {
                    throw ParseError(offset: i, message: "expected a member name after \".\"")
                }
                var name = String.UnicodeScalarView()
                while i < chars.count, Self.isNameFirst(chars[i]) || ("0"..."9").contains(chars[i]) {
                    name.append(chars[i])
                    i += 1
                }
                members.append(String(name))
            case "[":
                i += 1
                guard i < chars.count, chars[i] == "\"" else {
                    throw ParseError(offset: i, message: "only [\"member\"] is supported inside brackets (no indices, wildcards or filters)")
                }
                i += 1
                var name = String.UnicodeScalarView()
                var closed = false
                while i < chars.count {
                    let c = chars[i]
                    i += 1
                    if c == "\"" { closed = true; break }
                    if c == "\\" {
                        guard i < chars.count else { break }
                        let e = chars[i]
                        i += 1
                        switch e {
                        case "\"", "\\", "/", "'": name.append(e)
                        case "n": name.append("\n")
                        case "t": name.append("\t")
                        case "r": name.append("\r")
                        case "b": name.append("\u{08}")
                        case "f": name.append("\u{0C}")
                        case "u":
                            guard i + 4 <= chars.count, let code = UInt32(String(String.UnicodeScalarView(chars[i..<i + 4])), radix: 16),
                                let scalar = Unicode.Scalar(code)
                            else { throw ParseError(offset: i, message: "bad \\u escape") }
                            name.append(scalar)
                            i += 4
                        default: throw ParseError(offset: i - 1, message: "unknown escape \\\(e)")
                        }
                    } else {
                        name.append(c)
                    }
                }
                guard closed else { throw ParseError(offset: chars.count, message: "missing close quote") }
                guard i < chars.count, chars[i] == "]" else {
                    throw ParseError(offset: i, message: "missing close bracket")
                }
                i += 1
                members.append(String(name))
            default:
                throw ParseError(offset: i, message: "unexpected \"\(chars[i])\" (segments are .name or [\"name\"])")
            }
        }
        guard !members.isEmpty else { throw ParseError(offset: 0, message: "\"$\" identifies the whole object") }
        self.members = members
    }

    /// Removes the member this path names, if present; a path through a non-map removes nothing.
    public func remove(from tree: inout [String: Value]) {
        Self.remove(members[...], from: &tree)
    }

    private static func remove(_ path: ArraySlice<String>, from tree: inout [String: Value]) {
        guard let first = path.first else { return }
        if path.count == 1 {
            tree[first] = nil
            return
        }
        guard case .object(var child)? = tree[first] else { return }
        tree[first] = nil  // drop the reference so the nested edit does not copy the subtree
        remove(path.dropFirst(), from: &child)
        tree[first] = .object(child)
    }

    public var description: String { source }

    private static func isNameFirst(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" || (c.value >= 0x80 && !(0xD800...0xDFFF).contains(c.value))
    }
}
