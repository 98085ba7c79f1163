/// KubeStellar's per-spoke customisation: in objects annotated
/// `control.kubestellar.io/expand-templates: "true"`, every leaf string (never a map key) that
/// contains `{{` is a Go `text/template`, parsed on its own and executed over the spoke's
/// properties (a `map[string]string`) with `missingkey=error`, as KubeStellar's
/// `pkg/customize` runs it. The string's new value is what the template writes.
///
/// Supported, with Go's semantics and error messages (see ``GoTemplate``): text and trim markers
/// (`{{-`, `-}}`), comments, pipelines, parenthesized pipelines, `.key` and `$`, variables
/// (`$x :=`, `$x =`), `if`/`else if`/`else`, `with`/`else with`, `range` (sorted keys,
/// `$k, $v :=`, integers, `break`, `continue`), constants (strings, raw strings, characters,
/// decimal/hex/octal/binary integers with `_`, floats, complex numbers, `true`, `false`, `nil`)
/// and the builtins `and or not len index slice print printf println eq ne lt le gt ge html js
/// urlquery`. Errors instead: a missing property (naming it), `.a.b` on a string (a string has
/// no fields, and nothing here has methods), `call` (a string map holds no functions), and
/// `define`/`template`/`block` (each string is a template of its own: there is nothing to call).
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

    /// A piece of a template that is only text and `{{.name}}` lookups (``GoTemplate/segments``).
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

    /// Parsed templates by text, shared by every expansion.
    static let cache = GoTemplateCache()

    /// Parses one leaf string as a Go template, or returns the cached parse of the same text;
    /// `nil` when it holds no `{{` and so is not a template at all (a lone `}}` is plain text to
    /// Go too).
    /// - Throws: ``Failure`` with Go's parse error, naming `field` as the template.
    public static func compile(_ s: String, field: String) throws(Failure) -> GoTemplate? {
        guard s.contains("{{") else { return nil }
        let template = cache.template(for: s)
        if let failure = template.parseFailure(field: field) { throw failure }
        return template
    }

    /// Parses one leaf string into text and `{{.name}}` lookups; `nil` when it holds no `{{`.
    /// For callers that splice property values in place; ``compile(_:field:)`` handles the rest
    /// of the language.
    /// - Throws: ``Failure`` for bad syntax, and for any template that is more than lookups.
    public static func parse(_ s: String, field: String) throws(Failure) -> [Segment]? {
        guard let template = try compile(s, field: field) else { return nil }
        guard let segments = template.segments else {
            throw Failure(
                field: field,
                message: "unsupported template \(GoQuote.quote(s)) (only {{.property}} is supported here)")
        }
        return segments
    }

    /// The failure for a property the spoke lacks, saying why a present-looking key does not
    /// count; `detail` is Go's own message, when execution produced one.
    static func missing(_ key: String, field: String, detail: String? = nil) -> Failure {
        let why = goKeywords.contains(key) ? " (Go keywords are never properties)" : ""
        let go = detail.map { ": \($0)" } ?? ""
        return Failure(field: field, property: key, message: "property \"\(key)\" is not defined for this spoke\(why)\(go)")
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
                guard let template = try compile(s, field: path) else { return value }
                return .string(try template.render(properties: properties, field: path))
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
