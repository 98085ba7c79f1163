/// A Kubernetes label selector with Kubernetes' semantics: every `matchLabels` entry and every
/// expression must hold; the empty selector matches everything.
public struct LabelSelector: Sendable, Hashable {
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case `in` = "In"
        case notIn = "NotIn"
        case exists = "Exists"
        case doesNotExist = "DoesNotExist"
    }

    public struct Requirement: Sendable, Hashable {
        public var key: String
        public var op: Operator
        public var values: Set<String>

        public init(key: String, op: Operator, values: Set<String> = []) {
            self.key = key
            self.op = op
            self.values = values
        }

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
    }

    public var matchLabels: [String: String]
    public var matchExpressions: [Requirement]

    public init(matchLabels: [String: String] = [:], matchExpressions: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    public var isEmpty: Bool { matchLabels.isEmpty && matchExpressions.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool {
        for (k, v) in matchLabels where labels[k] != v { return false }
        for r in matchExpressions where !r.matches(labels) { return false }
        return true
    }
}

extension LabelSelector {
    /// Parses a selector tree, appending every problem to `errors` (field paths under `field`).
    public static func parse(
        _ value: Value, field: String, object: String, at location: SourceLocation, errors: inout [SourceError]
    ) -> LabelSelector? {
        func fail(_ f: String, _ m: String) {
            errors.append(SourceError(location: location, object: object, field: f, message: m))
        }
        guard case .object(let o) = value else {
            fail(field, "a label selector must be a map, found \(value.kindDescription)")
            return nil
        }
        var sel = LabelSelector()
        var ok = true
        for key in o.keys.sorted() where key != "matchLabels" && key != "matchExpressions" {
            fail("\(field).\(key)", "unknown field (expected matchLabels or matchExpressions)")
            ok = false
        }
        if let ml = o["matchLabels"], ml != .null {
            if case .object(let m) = ml {
                for (k, v) in m {
                    if let s = v.stringValue { sel.matchLabels[k] = s } else {
                        fail("\(field).matchLabels.\(k)", "label value must be a string, found \(v.kindDescription)")
                        ok = false
                    }
                }
            } else {
                fail("\(field).matchLabels", "must be a map, found \(ml.kindDescription)")
                ok = false
            }
        }
        if let me = o["matchExpressions"], me != .null {
            guard case .array(let exprs) = me else {
                fail("\(field).matchExpressions", "must be a list, found \(me.kindDescription)")
                return nil
            }
            for (i, e) in exprs.enumerated() {
                let f = "\(field).matchExpressions[\(i)]"
                guard case .object(let eo) = e else {
                    fail(f, "must be a map, found \(e.kindDescription)"); ok = false; continue
                }
                for key in eo.keys.sorted() where !["key", "operator", "values"].contains(key) {
                    fail("\(f).\(key)", "unknown field (expected key, operator, values)"); ok = false
                }
                guard let key = eo["key"]?.stringValue, !key.isEmpty else {
                    fail("\(f).key", "required string is missing"); ok = false; continue
                }
                guard let opName = eo["operator"]?.stringValue else {
                    fail("\(f).operator", "required string is missing"); ok = false; continue
                }
                guard let op = Operator(rawValue: opName) else {
                    fail("\(f).operator", "unknown operator \"\(opName)\" (expected In, NotIn, Exists or DoesNotExist)")
                    ok = false; continue
                }
                var values: [String] = []
                if let vs = eo["values"], vs != .null {
                    guard case .array(let arr) = vs else {
                        fail("\(f).values", "must be a list of strings"); ok = false; continue
                    }
                    for (j, v) in arr.enumerated() {
                        if let s = v.stringValue { values.append(s) } else {
                            fail("\(f).values[\(j)]", "must be a string, found \(v.kindDescription)"); ok = false
                        }
                    }
                }
                let needsValues = op == .in || op == .notIn
                if needsValues && values.isEmpty {
                    fail("\(f).values", "operator \(opName) needs at least one value"); ok = false; continue
                }
                if !needsValues && !values.isEmpty {
                    fail("\(f).values", "operator \(opName) takes no values"); ok = false; continue
                }
                sel.matchExpressions.append(Requirement(key: key, op: op, values: Set(values)))
            }
        }
        return ok ? sel : nil
    }
}
