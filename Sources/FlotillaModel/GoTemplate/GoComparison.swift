/// `eq` and `lt`, the comparisons the other four are made of, with Go's rules: only values of
/// the same basic kind compare (an `int` never equals a `float64` or a string), except signed
/// and unsigned integers; `nil` equals only `nil`; strings compare byte by byte.
enum GoComparison {
    private enum Kind: Equatable { case invalid, bool, complex, int, float, string, uint }

    private static func kind(_ v: GoValue) -> Kind {
        switch v {
        case .bool: return .bool
        case .int: return .int
        case .uint8: return .uint
        case .float: return .float
        case .complex: return .complex
        case .string: return .string
        case .invalid, .map: return .invalid
        }
    }

    private static func isNil(_ v: GoValue) -> Bool {
        if case .invalid = v { return true }
        return false
    }

    private static func int(_ v: GoValue) -> Int {
        if case .int(let i) = v { return i }
        return 0
    }

    private static func uint(_ v: GoValue) -> Int {
        if case .uint8(let u) = v { return Int(u) }
        return 0
    }

    private static func incompatible(_ a: GoValue, _ b: GoValue) -> GoTemplateFunctions.Failure {
        GoTemplateFunctions.Failure("incompatible types for comparison: \(a.typeName) and \(b.typeName)")
    }

    /// `eq a b c…`: whether `a` equals any of the others.
    static func eq(_ a: GoValue, _ others: [GoValue]) throws(GoTemplateFunctions.Failure) -> Bool {
        guard !others.isEmpty else { throw GoTemplateFunctions.Failure("missing argument for comparison") }
        let k1 = kind(a)
        for b in others {
            let k2 = kind(b)
            var truth = false
            if k1 != k2 {
                switch (k1, k2) {
                case (.int, .uint): truth = int(a) >= 0 && int(a) == uint(b)
                case (.uint, .int): truth = int(b) >= 0 && uint(a) == int(b)
                default:
                    if !isNil(a) && !isNil(b) { throw incompatible(a, b) }
                }
            } else {
                switch (a, b) {
                case (.bool(let x), .bool(let y)): truth = x == y
                case (.complex(let r1, let i1), .complex(let r2, let i2)): truth = r1 == r2 && i1 == i2
                case (.float(let x), .float(let y)): truth = x == y
                case (.int(let x), .int(let y)): truth = x == y
                case (.string(let x), .string(let y)): truth = x == y
                case (.uint8(let x), .uint8(let y)): truth = x == y
                case (.invalid, _), (_, .invalid):
                    // nil equals nil; a (never nil) map equals no nil.
                    truth = isNil(a) == isNil(b)
                case (.map, .map):
                    throw GoTemplateFunctions.Failure(
                        "non-comparable type \(String(decoding: GoFormatter.sprint([b]), as: UTF8.self)): \(b.typeName)")
                default: break
                }
            }
            if truth { return true }
        }
        return false
    }

    /// `lt a b`: only ordered basic kinds (ints, floats, strings).
    static func lt(_ a: GoValue, _ b: GoValue) throws(GoTemplateFunctions.Failure) -> Bool {
        let (k1, k2) = (kind(a), kind(b))
        if k1 == .invalid || k2 == .invalid { throw GoTemplateFunctions.Failure("invalid type for comparison") }
        if k1 != k2 {
            switch (k1, k2) {
            case (.int, .uint): return int(a) < 0 || int(a) < uint(b)
            case (.uint, .int): return int(b) >= 0 && uint(a) < int(b)
            default: throw incompatible(a, b)
            }
        }
        switch (a, b) {
        case (.float(let x), .float(let y)): return x < y
        case (.int(let x), .int(let y)): return x < y
        case (.string(let x), .string(let y)): return x.lexicographicallyPrecedes(y)
        case (.uint8(let x), .uint8(let y)): return x < y
        default: throw GoTemplateFunctions.Failure("invalid type for comparison")
        }
    }
}
