/// Yams' default constructors (`Bool.construct`, `Int.construct`, `Double.construct`, which
/// NodeConverter called) on bytes: the same steps in the same order, so a scalar Yams could
/// not construct (nil) gives nil here too. Where Yams traps on overflow (base 60 with many
/// groups) this gives nil: the scalar stays a string.
extension ScalarResolver {
    private static let underscore = UInt8(ascii: "_")
    private static let minus = UInt8(ascii: "-")
    private static let plus = UInt8(ascii: "+")
    private static let colon = UInt8(ascii: ":")

    /// `true`, `yes`, `on` / `false`, `no`, `off`, in any case.
    static func bool(_ s: UnsafeBufferPointer<UInt8>) -> Bool? {
        func lowerIs(_ word: StaticString) -> Bool {
            guard s.count == word.utf8CodeUnitCount else { return false }
            // `c | 0x20` is a lowercase letter only when `c` is that letter in either case.
            for i in 0..<s.count where s[i] | 0x20 != word.utf8Start[i] { return false }
            return true
        }
        if lowerIs("true") || lowerIs("yes") || lowerIs("on") { return true }
        if lowerIs("false") || lowerIs("no") || lowerIs("off") { return false }
        return nil
    }

    /// Yams' integer constructor: `_` removed, then `0x`, `0b`, `0o`, `0` prefixes, base 60, decimal.
    static func int(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        withoutUnderscores(s, intWithoutUnderscores)
    }

    /// Yams' float constructor: `.inf`, `-.inf`, `.nan` in any case, then `_` removed, base 60, decimal.
    static func double(_ s: UnsafeBufferPointer<UInt8>) -> Double? {
        if isLowercase(s, ".inf") || isLowercase(s, "+.inf") { return .infinity }
        if isLowercase(s, "-.inf") { return -.infinity }
        if isLowercase(s, ".nan") { return .nan }
        return withoutUnderscores(s) { t in
            t.contains(colon) ? baseSixty(t, parseDouble) : parseDouble(t)
        }
    }

    // MARK: steps

    /// Runs `body` on `s`, or on a copy without `_` when it has one.
    @inline(__always)
    private static func withoutUnderscores<T>(_ s: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> T?) -> T? {
        guard s.contains(underscore) else { return body(s) }
        let copy = s.filter { $0 != underscore }
        return copy.withUnsafeBufferPointer(body)
    }

    private static func intWithoutUnderscores(_ t: UnsafeBufferPointer<UInt8>) -> Int64? {
        if t.count == 1 && t[0] == UInt8(ascii: "0") { return 0 }
        let negative = t.first == minus
        let body = UnsafeBufferPointer(rebasing: t[(negative || t.first == plus ? 1 : 0)...])
        // Yams: `Int(signPrefix + scalar.dropFirst(prefix.count), radix: radix)`.
        for (prefix, radix) in [("0x", 16), ("0b", 2), ("0o", 8), ("0", 8)] as [(StaticString, Int)] where hasPrefix(body, prefix) {
            let digits = UnsafeBufferPointer(rebasing: body[prefix.utf8CodeUnitCount...])
            guard negative else { return parseInt(digits, radix: radix) }
            if let first = digits.first, first == minus || first == plus { return nil }
            return parseMagnitude(digits, radix: radix).flatMap { $0 <= 1 << 63 ? Int64(truncatingIfNeeded: 0 &- $0) : nil }
        }
        if body.contains(colon) { return baseSixty(t) { parseInt($0, radix: 10) } }
        return parseInt(t, radix: 10)
    }

    /// Swift's `Int64(_:radix:)`: an optional sign, then at least one digit; nil on overflow.
    static func parseInt(_ s: UnsafeBufferPointer<UInt8>, radix: Int) -> Int64? {
        guard let first = s.first else { return nil }
        let negative = first == minus
        let digits = UnsafeBufferPointer(rebasing: s[(negative || first == plus ? 1 : 0)...])
        guard let magnitude = parseMagnitude(digits, radix: radix) else { return nil }
        if negative { return magnitude <= 1 << 63 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// At least one digit of `radix` (letters in either case), nothing else; nil past UInt64.
    private static func parseMagnitude(_ s: UnsafeBufferPointer<UInt8>, radix: Int) -> UInt64? {
        guard !s.isEmpty else { return nil }
        var value: UInt64 = 0
        for c in s {
            let d: UInt64
            if isDigit(c) {
                d = UInt64(c &- UInt8(ascii: "0"))
            } else if (c | 0x20).isASCIILetter {
                d = UInt64((c | 0x20) - UInt8(ascii: "a") + 10)
            } else {
                return nil
            }
            guard d < radix else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: UInt64(radix))
            let (a, o2) = m.addingReportingOverflow(d)
            guard !o1 && !o2 else { return nil }
            value = a
        }
        return value
    }

    /// Yams' `String.sexagesimal()`: a sign, then `:`-separated parts, the last worth 1, the
    /// one before 60, then 3600…
    private static func baseSixty<T: BaseSixty>(_ t: UnsafeBufferPointer<UInt8>, _ part: (UnsafeBufferPointer<UInt8>) -> T?) -> T? {
        var rest = t[...]
        var sign: T = 1
        if rest.first == minus {
            sign = -1
            rest = rest.dropFirst()
        } else if rest.first == plus {
            rest = rest.dropFirst()
        }
        var parts: [T] = []
        for piece in rest.split(separator: colon, omittingEmptySubsequences: false) {
            guard let p = part(UnsafeBufferPointer(rebasing: piece)) else { return nil }
            parts.append(p)
        }
        var base: T = 1
        var value: T = 0
        for p in parts.reversed() {
            guard let term = p.times(base), let v = value.plus(term), let b = base.times(60) else { return nil }
            value = v
            base = b
        }
        return sign.times(value)
    }

    private static func hasPrefix(_ s: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        guard s.count >= prefix.utf8CodeUnitCount else { return false }
        for i in 0..<prefix.utf8CodeUnitCount where s[i] != prefix.utf8Start[i] { return false }
        return true
    }

    /// Whether `s` lowercased (ASCII) is `word`.
    private static func isLowercase(_ s: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        guard s.count == word.utf8CodeUnitCount else { return false }
        for i in 0..<s.count {
            let c = s[i] >= UInt8(ascii: "A") && s[i] <= UInt8(ascii: "Z") ? s[i] | 0x20 : s[i]
            if c != word.utf8Start[i] { return false }
        }
        return true
    }
}

extension UInt8 {
    fileprivate var isASCIILetter: Bool { self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z") }
}
