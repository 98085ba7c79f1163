/// Go's `strconv` quoting, used by `%q`, `%#U` and the messages that quote a name or a token.
enum GoQuote {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// `strconv.Quote` (or `QuoteToASCII` when `asciiOnly`), over Go's byte string.
    static func quote(_ s: [UInt8], asciiOnly: Bool = false) -> String {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        appendQuoted(s, quote: UInt8(ascii: "\""), asciiOnly: asciiOnly, into: &out)
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    /// `strconv.Quote` of a Swift string.
    static func quote(_ s: String) -> String { quote(Array(s.utf8)) }

    /// `strconv.QuoteRune` (or `QuoteRuneToASCII`): `'x'`, with U+FFFD for an invalid rune.
    static func quoteRune(_ r: UInt64, asciiOnly: Bool = false) -> String {
        let rune = r > 0x10FFFF || (0xD800...0xDFFF).contains(r) ? GoUTF8.runeError : UInt32(r)
        var out: [UInt8] = [UInt8(ascii: "'")]
        appendEscaped(rune, quote: UInt8(ascii: "'"), asciiOnly: asciiOnly, into: &out)
        out.append(UInt8(ascii: "'"))
        return String(decoding: out, as: UTF8.self)
    }

    static func appendQuoted(_ s: [UInt8], quote: UInt8, asciiOnly: Bool, into out: inout [UInt8]) {
        var i = 0
        while i < s.count {
            let (r, width) = GoUTF8.decode(s, at: i)
            if width == 1 && r == GoUTF8.runeError {
                out += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(s[i] >> 4)], hex[Int(s[i] & 0xF)]]
            } else {
                appendEscaped(r, quote: quote, asciiOnly: asciiOnly, into: &out)
            }
            i += width
        }
    }

    private static func appendEscaped(_ r: UInt32, quote: UInt8, asciiOnly: Bool, into out: inout [UInt8]) {
        if r == UInt32(quote) || r == 0x5C {
            out += [UInt8(ascii: "\\"), UInt8(r)]
            return
        }
        if asciiOnly ? (r < 0x80 && GoUTF8.isPrint(r)) : GoUTF8.isPrint(r) {
            GoUTF8.append(r, to: &out)
            return
        }
        if let letter = simpleEscape(r) {
            out += [UInt8(ascii: "\\"), letter]
            return
        }
        func hexDigits(_ v: UInt32, _ n: Int) -> [UInt8] {
            (0..<n).reversed().map { hex[Int(v >> (4 * UInt32($0)) & 0xF)] }
        }
        switch r {
        case ..<0x20, 0x7F: out += [UInt8(ascii: "\\"), UInt8(ascii: "x")] + hexDigits(r, 2)
        case ..<0x10000: out += [UInt8(ascii: "\\"), UInt8(ascii: "u")] + hexDigits(r, 4)
        default: out += [UInt8(ascii: "\\"), UInt8(ascii: "U")] + hexDigits(r, 8)
        }
    }

    /// The letter of `\a`-style escapes, which Go prefers to `\x07`.
    private static func simpleEscape(_ r: UInt32) -> UInt8? {
        switch r {
        case 7: return UInt8(ascii: "a")
        case 8: return UInt8(ascii: "b")
        case 9: return UInt8(ascii: "t")
        case 10: return UInt8(ascii: "n")
        case 11: return UInt8(ascii: "v")
        case 12: return UInt8(ascii: "f")
        case 13: return UInt8(ascii: "r")
        default: return nil
        }
    }

    /// `strconv.CanBackquote`: whether `%#q` may print the string between backquotes.
    static func canBackquote(_ s: [UInt8]) -> Bool {
        var i = 0
        while i < s.count {
            let (r, width) = GoUTF8.decode(s, at: i)
            i += width
            if width > 1 {
                if r == 0xFEFF { return false }
                continue
            }
            if r == GoUTF8.runeError { return false }
            if (r < 0x20 && r != 0x09) || r == 0x60 || r == 0x7F { return false }
        }
        return true
    }

    /// Go's `%#U` of a rune in lexer errors: `U+0023 '#'`.
    static func unicodeDescription(_ r: UInt32) -> String {
        var hexText = String(r, radix: 16, uppercase: true)
        while hexText.count < 4 { hexText = "0" + hexText }
        guard GoUTF8.isPrint(r) else { return "U+\(hexText)" }
        var bytes: [UInt8] = []
        GoUTF8.append(r, to: &bytes)
        return "U+\(hexText) '\(String(decoding: bytes, as: UTF8.self))'"
    }
}
