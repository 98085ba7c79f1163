/// KubeStellar's per-spoke customisation: in objects annotated
/// `control.kubestellar.io/expand-templates: "true"`, every leaf string is a Go-template-style
/// string where `{{.name}}` (spaces allowed inside the braces) substitutes a spoke property.
/// Any other template syntax is an error.
public struct TemplateExpander: Sendable {
    public static let annotation = "control.kubestellar.io/expand-templates"

    /// A failed expansion: which field, which property, and why.
    public struct Failure: Error, Sendable, Hashable {
        public var field: String
        public var message: String
    }

    static let goKeywords: Set<String> = [
        "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for",
        "func", "go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select",
        "struct", "switch", "type", "var",
    ]

    /// The properties a spoke's templates can use, highest precedence first: the
    /// `customization-properties` ConfigMap, annotations, labels, then `clusterName`.
    /// Only keys that are Go identifiers (and not keywords) count.
    public static func properties(of spoke: Spoke) -> [String: String] {
        var out: [String: String] = ["clusterName": spoke.name]
        for source in [spoke.labels, spoke.annotations, spoke.properties] {
            for (k, v) in source where isIdentifier(k) { out[k] = v }
        }
        return out
    }

    public static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, !goKeywords.contains(s) else { return false }
        func letter(_ c: Unicode.Scalar) -> Bool { c == "_" || c.properties.isAlphabetic }
        return letter(first) && s.unicodeScalars.allSatisfy { letter($0) || ("0"..."9").contains($0) }
    }

    public static func wantsExpansion(_ object: ManifestObject) -> Bool {
        object.annotations[annotation] == "true"
    }

    /// Expands every leaf string of `tree` with `properties`.
    /// - Throws: ``Failure`` naming the first field whose template is bad or names a missing property.
    public static func expand(_ tree: [String: Value], properties: [String: String]) throws(Failure) -> [String: Value] {
        var out: [String: Value] = [:]
        for (k, v) in tree { out[k] = try expand(v, path: k, properties: properties) }
        return out
    }

    static func expand(_ value: Value, path: String, properties: [String: String]) throws(Failure) -> Value {
        switch value {
        case .string(let s):
            return .string(try expandString(s, path: path, properties: properties))
        case .array(let a):
            var out: [Value] = []
            out.reserveCapacity(a.count)
            for (i, e) in a.enumerated() { out.append(try expand(e, path: "\(path)[\(i)]", properties: properties)) }
            return .array(out)
        case .object(let o):
            var out: [String: Value] = [:]
            for (k, e) in o { out[k] = try expand(e, path: "\(path).\(k)", properties: properties) }
            return .object(out)
        default:
            return value
        }
    }

    static func expandString(_ s: String, path: String, properties: [String: String]) throws(Failure) -> String {
        guard s.contains("{{") || s.contains("}}") else { return s }
        var result = ""
        var rest = Substring(s)
        while let open = rest.range(of: "{{") {
            let before = rest[..<open.lowerBound]
            if before.contains("}}") { throw Failure(field: path, message: "unbalanced \"}}\" in \"\(s)\"") }
            result += before
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                throw Failure(field: path, message: "unclosed \"{{\" in \"\(s)\"")
            }
            let inner = afterOpen[..<close.lowerBound].trimmingSpaces
            guard inner.hasPrefix("."), isIdentifier(String(inner.dropFirst())) else {
                throw Failure(
                    field: path,
                    message: "unsupported template \"{{\(afterOpen[..<close.lowerBound])}}\" (only {{.property}} is allowed)")
            }
            let key = String(inner.dropFirst())
            guard let value = properties[key] else {
                throw Failure(field: path, message: "property \"\(key)\" is not defined for this spoke")
            }
            result += value
            rest = afterOpen[close.upperBound...]
        }
        if rest.contains("}}") { throw Failure(field: path, message: "unbalanced \"}}\" in \"\(s)\"") }
        result += rest
        return result
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
