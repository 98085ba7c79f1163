/// Go's `strconv.Unquote` and `UnquoteChar`, for the string and character constants of a
/// template. Strings come back as bytes: `"\xff"` is one byte that is not UTF-8, as in Go.
enum GoUnquote {
    /// The value of a `"…"` or `` `…` `` token; `nil` is Go's "invalid syntax".
    static func unquote(_ token: String) -> [UInt8]? {
        let s = Array(token.utf8)
        guard s.count >= 2, let quote = s.first, s.last == quote else { return nil }
        if quote == UInt8(ascii: "`") {
            // Carriage returns inside raw strings are discarded.
            return s[1..<s.count - 1].filter { $0 != 0x0D }
        }
        guard quote == UInt8(ascii: "\"") else { return nil }
        var out: [UInt8] = []
        var i = 1
        while i < s.count - 1 {
            guard s[i] != 0x0A, let (r, multibyte, next) = unquoteChar(s, from: i, quote: quote) else { return nil }
            if r < 0x80 || !multibyte { out.append(UInt8(truncatingIfNeeded: r)) } else { GoUTF8.append(r, to: &out) }
            i = next
        }
        return i == s.count - 1 ? out : nil
    }

    /// Decodes the character or escape at `i`: its value, whether it needs UTF-8 encoding (not
    /// so for `\xNN` and octal escapes, which are single bytes), and the index after it.
    static func unquoteChar(_ s: [UInt8], from i: Int, quote: UInt8) -> (rune: UInt32, multibyte: Bool, next: Int)? {
        guard i < s.count else { return nil }
        let c = s[i]
        if c == quote { return nil }
        if c >= 0x80 {
            let (r, w) = GoUTF8.decode(s, at: i)
            return (r, true, i + w)
        }
        if c != UInt8(ascii: "\\") { return (UInt32(c), false, i + 1) }
        guard i + 1 < s.count else { return nil }
        let e = s[i + 1]
        var j = i + 2
        switch e {
        case UInt8(ascii: "a"): return (7, false, j)
        case UInt8(ascii: "b"): return (8, false, j)
        case UInt8(ascii: "f"): return (12, false, j)
        case UInt8(ascii: "n"): return (10, false, j)
        case UInt8(ascii: "r"): return (13, false, j)
        case UInt8(ascii: "t"): return (9, false, j)
        case UInt8(ascii: "v"): return (11, false, j)
        case UInt8(ascii: "\\"): return (0x5C, false, j)
        case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
            let n = e == UInt8(ascii: "x") ? 2 : e == UInt8(ascii: "u") ? 4 : 8
            guard j + n <= s.count else { return nil }
            var v: UInt32 = 0
            for k in j..<j + n {
                guard let d = Character(Unicode.Scalar(s[k])).hexDigitValue else { return nil }
                v = v << 4 | UInt32(d)
            }
            j += n
            if e == UInt8(ascii: "x") { return (v, false, j) }
            guard v <= 0x10FFFF, !(0xD800...0xDFFF).contains(v) else { return nil }
            return (v, true, j)
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            guard j + 2 <= s.count else { return nil }
            var v = UInt32(e - 0x30)
            for k in j..<j + 2 {
                guard s[k] >= 0x30, s[k] <= 0x37 else { return nil }
                v = v << 3 | UInt32(s[k] - 0x30)
            }
            guard v <= 255 else { return nil }
            return (v, false, j + 2)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            guard e == quote else { return nil }
            return (UInt32(e), false, j)
        default:
            return nil
        }
    }
}
