/// Yams' default resolver rules (`Resolver.Rule.bool`, `.int`, `.float`, `.null`), each a
/// regular expression there, as byte checks. Each check mirrors one alternative of the pattern.
extension ScalarResolver {
    private static let zero = UInt8(ascii: "0")
    private static let underscore = UInt8(ascii: "_")

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- zero < 10 }
    @inline(__always) private static func isDigitOrUnderscore(_ c: UInt8) -> Bool { isDigit(c) || c == underscore }
    @inline(__always) private static func isSign(_ c: UInt8) -> Bool { c == UInt8(ascii: "+") || c == UInt8(ascii: "-") }

    /// Whether `s[from...]` is not empty and every byte passes.
    @inline(__always) private static func all(_ s: UnsafeBufferPointer<UInt8>, from: Int, _ test: (UInt8) -> Bool) -> Bool {
        guard from < s.count else { return false }
        for i in from..<s.count where !test(s[i]) { return false }
        return true
    }

    /// Skips `[0-9_]*` from `i`.
    @inline(__always) private static func digits(_ s: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        var j = i
        while j < s.count && isDigitOrUnderscore(s[j]) { j += 1 }
        return j
    }

    /// Matches `(?::[0-5]?[0-9])+` from `i`; the index after it, or nil.
    private static func baseSixtyGroups(_ s: UnsafeBufferPointer<UInt8>, from i: Int) -> Int? {
        var j = i
        var groups = 0
        while j + 1 < s.count && s[j] == UInt8(ascii: ":") && isDigit(s[j + 1]) {
            if j + 2 < s.count && isDigit(s[j + 2]) {
                guard s[j + 1] <= UInt8(ascii: "5") else { return nil }
                j += 3
            } else {
                j += 2
            }
            groups += 1
        }
        return groups > 0 ? j : nil
    }

    /// `[-+]?0b[0-1_]+ | [-+]?0o?[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+ |
    /// [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+`
    static func isInt(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        let i = !s.isEmpty && isSign(s[0]) ? 1 : 0
        guard i < s.count else { return false }
        let n = s.count
        if s[i] == zero {
            if i + 1 == n { return true }
            switch s[i + 1] {
            case UInt8(ascii: "b"):
                return all(s, from: i + 2) { $0 == zero || $0 == UInt8(ascii: "1") || $0 == underscore }
            case UInt8(ascii: "x"):
                return all(s, from: i + 2) { c in
                    isDigitOrUnderscore(c) || (c | 0x20 >= UInt8(ascii: "a") && c | 0x20 <= UInt8(ascii: "f"))
                }
            case UInt8(ascii: "o"):
                return all(s, from: i + 2) { ($0 >= zero && $0 <= UInt8(ascii: "7")) || $0 == underscore }
            default:
                return all(s, from: i + 1) { ($0 >= zero && $0 <= UInt8(ascii: "7")) || $0 == underscore }
            }
        }
        guard s[i] >= UInt8(ascii: "1") && s[i] <= UInt8(ascii: "9") else { return false }
        let j = digits(s, from: i + 1)
        if j == n { return true }
        return baseSixtyGroups(s, from: j) == n
    }

    /// `[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)? | \.[0-9_]+(?:[eE][-+][0-9]+)? |
    /// [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)`
    static func isFloat(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = s.count
        guard n > 0 else { return false }
        let dot = UInt8(ascii: ".")
        if s[0] == dot {
            if isWord(s, from: 1, "inf") || isNaN(s) { return true }
            let j = digits(s, from: 1)
            guard j > 1 else { return false }
            // Here the exponent's sign is not optional.
            return j == n || exponent(s, from: j, signRequired: true)
        }
        let i = isSign(s[0]) ? 1 : 0
        guard i < n else { return false }
        if s[i] == dot { return isWord(s, from: i + 1, "inf") }
        guard isDigit(s[i]) else { return false }
        var j = digits(s, from: i + 1)
        if j == n { return true }
        if s[j] == UInt8(ascii: ":") {
            guard let k = baseSixtyGroups(s, from: j), k < n, s[k] == dot else { return false }
            return digits(s, from: k + 1) == n
        }
        if s[j] == dot {
            j = digits(s, from: j + 1)
            if j == n { return true }
        }
        return exponent(s, from: j, signRequired: false)
    }

    /// `[eE][-+]?[0-9]+` from `i` to the end.
    private static func exponent(_ s: UnsafeBufferPointer<UInt8>, from i: Int, signRequired: Bool) -> Bool {
        guard i < s.count, s[i] | 0x20 == UInt8(ascii: "e") else { return false }
        var j = i + 1
        if j < s.count && isSign(s[j]) {
            j += 1
        } else if signRequired {
            return false
        }
        return all(s, from: j, isDigit)
    }

    /// `\.(?:nan|NaN|NAN)`
    private static func isNaN(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        guard s.count == 4, s[0] == UInt8(ascii: "."), s[2] | 0x20 == UInt8(ascii: "a") else { return false }
        let n = UInt8(ascii: "n")
        return (s[1] == n && s[2] == UInt8(ascii: "a") && s[3] == n) || (s[1] == n - 0x20 && s[3] == n - 0x20)
    }

    /// `yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF`
    static func boolWord(_ s: UnsafeBufferPointer<UInt8>) -> Bool? {
        switch s.count {
        case 2:
            if isWord(s, "on") { return true }
            if isWord(s, "no") { return false }
        case 3:
            if isWord(s, "yes") { return true }
            if isWord(s, "off") { return false }
        case 4: if isWord(s, "true") { return true }
        case 5: if isWord(s, "false") { return false }
        default: break
        }
        return nil
    }

    /// Whether `s[from...]` is `word` (lowercase ASCII) written lower, Capitalized or UPPER.
    static func isWord(_ s: UnsafeBufferPointer<UInt8>, from: Int = 0, _ word: StaticString) -> Bool {
        let w = word.utf8Start
        let count = word.utf8CodeUnitCount
        guard s.count - from == count else { return false }
        let first = s[from]
        guard first == w[0] || first == w[0] - 0x20 else { return false }
        guard count > 1 else { return true }
        // The rest all lower, or (after an upper first letter) all upper.
        let upper = s[from + 1] == w[1] - 0x20 && first != w[0]
        for k in 1..<count where s[from + k] != (upper ? w[k] - 0x20 : w[k]) { return false }
        return true
    }
}
