/// A Kubernetes label selector with Kubernetes' semantics: every `matchLabels` entry and every
/// expression must hold; the empty selector (`{}`) matches everything.
public struct LabelSelector: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case `in` = "In"
        case notIn = "NotIn"
        case exists = "Exists"
        case doesNotExist = "DoesNotExist"
    }

    /// One `matchExpressions` entry.
    public struct Requirement: Sendable, Hashable, CustomStringConvertible {
        public var key: String
        public var op: Operator
        public var values: Set<String>

        public init(key: String, op: Operator, values: Set<String> = []) {
            self.key = key
            self.op = op
            self.values = values
        }

        /// Kubernetes' rule: `NotIn` and `DoesNotExist` hold for a label that is absent.
        public func matches(_ labels: [String: String]) -> Bool {
            switch op {
            case .in:
                guard let v = labels[key] else { return false }
                return values.contains(v)
            case .notIn:
                guard let v = labels[key] else { return true }
                return !values.contains(v)
            case .exists: return labels[key] != nil
            case .doesNotExist: return labels[key] == nil
            }
        }

        public var description: String {
            switch op {
            case .in: return "\(key) in (\(values.sorted().joined(separator: ",")))"
            case .notIn: return "\(key) notin (\(values.sorted().joined(separator: ",")))"
            case .exists: return key
            case .doesNotExist: return "!\(key)"
            }
        }
    }

    public var matchLabels: [String: String]
    public var matchExpressions: [Requirement]

    public init(matchLabels: [String: String] = [:], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// `{}`: matches every label set (and is the only namespace selector a cluster-scoped object passes).
    public var isEmpty: Bool { matchLabels.isEmpty && matchExpressions.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool {
        for (k, v) in matchLabels where labels[k] != v { return false }
        for r in matchExpressions where !r.matches(labels) { return false }
        return true
    }

    /// The first requirement `labels` fails, in `kubectl`'s selector syntax; `nil` when it matches.
    public func firstUnmet(_ labels: [String: String]) -> String? {
        for k in matchLabels.keys.sorted() where labels[k] != matchLabels[k] { return "\(k)=\(matchLabels[k]!)" }
        return matchExpressions.first { !$0.matches(labels) }?.description
    }

    /// `kubectl`'s selector syntax (`app=web,tier in (a,b)`); `{}` for the empty selector.
    public var description: String {
        if isEmpty { return "{}" }
        let labels = matchLabels.keys.sorted().map { "\($0)=\(matchLabels[$0]!)" }
        return (labels + matchExpressions.map(\.description)).joined(separator: ",")
    }
}

extension LabelSelector {
    /// Parses a selector tree as Kubernetes validates it, appending every problem to `errors`
    /// (field paths under `field`). Returns `nil` when anything was wrong.
    public static func parse(
        _ value: Value, field: String, object: String, at location: SourceLocation, errors: inout [SourceError]
    ) -> LabelSelector? {
        let start = errors.count
        func fail(_ f: String, _ m: String) {
            errors.append(SourceError(location: location, object: object, field: f, message: m))
        }
        guard case .object(let o) = value else {
            fail(field, "a label selector must be a map, found \(value.kindDescription)")
            return nil
        }
        var sel = LabelSelector()
        for key in o.keys.sorted() where key != "matchLabels" && key != "matchExpressions" {
            fail("\(field).\(key)", "unknown field (expected matchLabels or matchExpressions)")
        }
        if let ml = o["matchLabels"], ml != .null {
            if case .object(let m) = ml {
                for k in m.keys.sorted() {
                    let v = m[k]!
                    if !LabelSyntax.isValidKey(k) {
                        fail("\(field).matchLabels.\(k)", "\"\(k)\" is not a valid label key")
                    }
                    guard let s = v.stringValue else {
                        fail("\(field).matchLabels.\(k)", "label value must be a string, found \(v.kindDescription) (quote it)")
                        continue
                    }
                    if !LabelSyntax.isValidValue(s) {
                        fail("\(field).matchLabels.\(k)", "\"\(s)\" is not a valid label value")
                    }
                    sel.matchLabels[k] = s
                }
            } else {
                fail("\(field).matchLabels", "must be a map, found \(ml.kindDescription)")
            }
        }
        if let me = o["matchExpressions"], me != .null {
            if case .array(let exprs) = me {
                for (i, e) in exprs.enumerated() {
                    if let r = parseRequirement(e, field: "\(field).matchExpressions[\(i)]", fail: fail) {
                        sel.matchExpressions.append(r)
                    }
                }
            } else {
                fail("\(field).matchExpressions", "must be a list, found \(me.kindDescription)")
            }
        }
        return errors.count == start ? sel : nil
    }

    private static func parseRequirement(
        _ e: Value, field f: String, fail: (String, String) -> Void
    ) -> Requirement? {
        guard case .object(let eo) = e else {
            fail(f, "must be a map, found \(e.kindDescription)")
            return nil
        }
        var ok = true
        for key in eo.keys.sorted() where !["key", "operator", "values"].contains(key) {
            fail("\(f).\(key)", "unknown field (expected key, operator, values)")
            ok = false
        }
        let key = eo["key"]?.stringValue ?? ""
        if key.isEmpty {
            fail("\(f).key", "required string is missing")
            ok = false
        } else if !LabelSyntax.isValidKey(key) {
            fail("\(f).key", "\"\(key)\" is not a valid label key")
            ok = false
        }
        guard let opName = eo["operator"]?.stringValue else {
            fail("\(f).operator", "required string is missing (In, NotIn, Exists or DoesNotExist)")
            return nil
        }
        guard let op = Operator(rawValue: opName) else {
            fail("\(f).operator", "unknown operator \"\(opName)\" (expected In, NotIn, Exists or DoesNotExist)")
            return nil
        }
        var values: [String] = []
        if let vs = eo["values"], vs != .null {
            guard case .array(let arr) = vs else {
                fail("\(f).values", "must be a list of strings, found \(vs.kindDescription)")
                return nil
            }
            for (j, v) in arr.enumerated() {
                if let s = v.stringValue {
                    if !LabelSyntax.isValidValue(s) {
                        fail("\(f).values[\(j)]", "\"\(s)\" is not a valid label value"); ok = false
                    }
                    values.append(s)
                } else {
                    fail("\(f).values[\(j)]", "must be a string, found \(v.kindDescription) (quote it)"); ok = false
                }
            }
        }
        let needsValues = op == .in || op == .notIn
        if needsValues && values.isEmpty {
            fail("\(f).values", "operator \(opName) needs at least one value"); ok = false
        } else if !needsValues && !values.isEmpty {
            fail("\(f).values", "operator \(opName) takes no values"); ok = false
        }
        return ok ? Requirement(key: key, op: op, values: Set(values)) : nil
    }
}
