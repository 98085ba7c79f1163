/// UTF-8 as Go's `unicode/utf8` sees it: strings are bytes, and an invalid byte decodes as
/// U+FFFD of width 1 (Swift's `String` would repair it instead, which changes lengths and output).
enum GoUTF8 {
    static let runeError: UInt32 = 0xFFFD

    /// The rune at `i` and its width; `(U+FFFD, 1)` for a byte that does not start a valid sequence.
    static func decode(_ b: [UInt8], at i: Int) -> (rune: UInt32, width: Int) {
        let n = b.count - i
        guard n > 0 else { return (runeError, 0) }
        let c0 = UInt32(b[i])
        if c0 < 0x80 { return (c0, 1) }
        func cont(_ k: Int) -> UInt32? {
            guard k < n, b[i + k] & 0xC0 == 0x80 else { return nil }
            return UInt32(b[i + k] & 0x3F)
        }
        switch c0 {
        case 0xC2...0xDF:
            if let c1 = cont(1) { return ((c0 & 0x1F) << 6 | c1, 2) }
        case 0xE0...0xEF:
            if let c1 = cont(1), let c2 = cont(2) {
                let r = (c0 & 0x0F) << 12 | c1 << 6 | c2
                if r >= 0x800 && !(0xD800...0xDFFF).contains(r) { return (r, 3) }
            }
        case 0xF0...0xF4:
            if let c1 = cont(1), let c2 = cont(2), let c3 = cont(3) {
                let r = (c0 & 0x07) << 18 | c1 << 12 | c2 << 6 | c3
                if (0x10000...0x10FFFF).contains(r) { return (r, 4) }
            }
        default:
            break
        }
        return (runeError, 1)
    }

    /// Go's `utf8.RuneCount`: every invalid byte counts as one rune.
    static func runeCount(_ b: [UInt8]) -> Int {
        var i = 0, count = 0
        while i < b.count {
            i += decode(b, at: i).width
            count += 1
        }
        return count
    }

    /// Appends the encoding of `r`, or of U+FFFD when `r` is not a valid rune (Go's `utf8.EncodeRune`).
    static func append(_ r: UInt32, to out: inout [UInt8]) {
        let r = (r > 0x10FFFF || (0xD800...0xDFFF).contains(r)) ? runeError : r
        switch r {
        case ..<0x80: out.append(UInt8(r))
        case ..<0x800: out += [UInt8(0xC0 | r >> 6), UInt8(0x80 | r & 0x3F)]
        case ..<0x10000: out += [UInt8(0xE0 | r >> 12), UInt8(0x80 | r >> 6 & 0x3F), UInt8(0x80 | r & 0x3F)]
        default:
            out += [UInt8(0xF0 | r >> 18), UInt8(0x80 | r >> 12 & 0x3F), UInt8(0x80 | r >> 6 & 0x3F), UInt8(0x80 | r & 0x3F)]
        }
    }

    /// Go's `unicode.IsPrint`/`strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and
    /// the ASCII space.
    static func isPrint(_ r: UInt32) -> Bool {
        if r < 0x80 { return r >= 0x20 && r < 0x7F }
        guard let s = Unicode.Scalar(r) else { return false }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark,
            .decimalNumber, .letterNumber, .otherNumber,
            .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation,
            .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    /// Go's `unicode.IsLetter`.
    static func isLetter(_ r: UInt32) -> Bool {
        if r < 0x80 { return (r >= 0x41 && r <= 0x5A) || (r >= 0x61 && r <= 0x7A) }
        guard let s = Unicode.Scalar(r) else { return false }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// Go's `unicode.IsDigit` (decimal digits of any script).
    static func isDigit(_ r: UInt32) -> Bool {
        if r < 0x80 { return r >= 0x30 && r <= 0x39 }
        return Unicode.Scalar(r)?.properties.generalCategory == .decimalNumber
    }
}
