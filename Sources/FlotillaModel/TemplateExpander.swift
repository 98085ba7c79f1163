/// KubeStellar's per-spoke customisation: in objects annotated
/// `control.kubestellar.io/expand-templates: "true"`, every leaf string (never a map key) that
/// contains `{{` is a Go template in which only `{{.name}}` (whitespace allowed inside the
/// braces) is supported; it substitutes a spoke property. Any other template syntax is an error,
/// as is a property the spoke does not have (Go's `missingkey=error`).
public enum TemplateExpander {
    public static let annotation = "control.kubestellar.io/expand-templates"

    /// One problem in one leaf string.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// Dotted path of the leaf, e.g. `spec.template.spec.containers[0].image`.
        public var field: String
        /// The property that was missing, when that is the problem.
        public var property: String?
        public var message: String

        public init(field: String, property: String? = nil, message: String) {
            self.field = field
            self.property = property
            self.message = message
        }

        public var description: String { "field \(field): \(message)" }
    }

    /// Every failure of one expansion, in canonical (sorted key) order.
    public struct Failures: Error, Sendable, Hashable {
        public var failures: [Failure]
    }

    /// A parsed template string.
    public enum Segment: Sendable, Hashable {
        case text(String)
        case property(String)
    }

    static let goKeywords: Set<String> = [
        "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough", "for",
        "func", "go", "goto", "if", "import", "interface", "map", "package", "range", "return", "select",
        "struct", "switch", "type", "var",
    ]

    /// The properties a spoke's templates can use. Highest precedence first: the `data` and
    /// `binaryData` of its `customization-properties` ConfigMap (``Spoke/properties``), its
    /// annotations, its labels, then `clusterName` (the spoke's name). From every source only
    /// keys that are Go identifiers and not Go keywords count.
    public static func properties(of spoke: Spoke) -> [String: String] {
        var out: [String: String] = ["clusterName": spoke.name]
        for source in [spoke.labels, spoke.annotations, spoke.properties] {
            for (k, v) in source where isIdentifier(k) { out[k] = v }
        }
        return out
    }

    /// Go's `token.IsIdentifier`: a letter or `_`, then letters, `_` or decimal digits, and not a keyword.
    public static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, isLetter(first), !goKeywords.contains(s) else { return false }
        return s.unicodeScalars.allSatisfy { isLetter($0) || $0.properties.numericType == .decimal }
    }

    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        if c == "_" { return true }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// Whether the object asks for expansion (the annotation's value is exactly `"true"`).
    public static func wantsExpansion(_ object: ManifestObject) -> Bool {
        object.annotations[annotation] == "true"
    }

    /// Parses one leaf string; `nil` when it holds no `{{` and so is not a template at all
    /// (a lone `}}` is plain text to Go too).
    /// - Throws: ``Failure`` (with `field`) for any syntax other than `{{.name}}`.
    public static func parse(_ s: String, field: String) throws(Failure) -> [Segment]? {
        guard s.contains("{{") else { return nil }
        var segments: [Segment] = []
        var rest = Substring(s)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { segments.append(.text(String(rest[..<open.lowerBound]))) }
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                throw Failure(field: field, message: "unclosed action \"{{\" in \"\(s)\"")
            }
            let raw = afterOpen[..<close.lowerBound]
            let inner = raw.trimmingGoSpace
            let name = inner.dropFirst()
            guard inner.first == ".", let first = name.unicodeScalars.first, isLetter(first),
                name.unicodeScalars.allSatisfy({ isLetter($0) || $0.properties.numericType == .decimal })
            else {
                throw Failure(
                    field: field, message: "unsupported template \"{{\(raw)}}\" (only {{.property}} is supported)")
            }
            segments.append(.property(String(name)))
            rest = afterOpen[close.upperBound...]
        }
        if !rest.isEmpty { segments.append(.text(String(rest))) }
        return segments
    }

    /// The failure for a property the spoke lacks, saying why a present-looking key does not count.
    static func missing(_ key: String, field: String) -> Failure {
        let why = goKeywords.contains(key) ? " (Go keywords are never properties)" : ""
        return Failure(field: field, property: key, message: "property \"\(key)\" is not defined for this spoke\(why)")
    }

    /// Expands every leaf string of `tree` with `properties`.
    /// - Throws: ``Failures`` with every problem found, never just the first.
    public static func expand(_ tree: [String: Value], properties: [String: String]) throws(Failures) -> [String: Value] {
        var failures: [Failure] = []
        var out: [String: Value] = [:]
        for k in tree.keys.sorted() { out[k] = expand(tree[k]!, path: k, properties: properties, failures: &failures) }
        guard failures.isEmpty else { throw Failures(failures: failures) }
        return out
    }

    static func expand(_ value: Value, path: String, properties: [String: String], failures: inout [Failure]) -> Value {
        switch value {
        case .string(let s):
            do {
                guard let segments = try parse(s, field: path) else { return value }
                var result = ""
                for segment in segments {
                    switch segment {
                    case .text(let t): result += t
                    case .property(let key):
                        if let v = properties[key] { result += v } else { failures.append(missing(key, field: path)) }
                    }
                }
                return .string(result)
            } catch {
                failures.append(error)
                return value
            }
        case .array(let a):
            return .array(a.enumerated().map { i, e in expand(e, path: "\(path)[\(i)]", properties: properties, failures: &failures) })
        case .object(let o):
            var out: [String: Value] = [:]
            for k in o.keys.sorted() { out[k] = expand(o[k]!, path: "\(path).\(k)", properties: properties, failures: &failures) }
            return .object(out)
        default:
            return value
        }
    }
}

extension Substring {
    /// Trims the whitespace Go's template lexer skips inside an action.
    var trimmingGoSpace: Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\r\n" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\r\n" { s = s.dropLast() }
        return s
    }
}
