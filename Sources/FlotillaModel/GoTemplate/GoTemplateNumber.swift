/// A number constant of a template, read as Go's parser reads it (`newNumber` in
/// `text/template/parse/node.go`, with `strconv`'s syntax: `0x`/`0o`/`0b` prefixes, a leading `0`
/// for octal, `_` between digits, hex floats, `'a'` characters and `1+2i` complex numbers).
struct GoTemplateNumber: Sendable {
    var text: String
    var int: Int64?
    var uint: UInt64?
    var float: Double?
    var complex: (re: Double, im: Double)?

    /// - Throws: the message Go's parser reports (`illegal number syntax: "08x"`, …).
    init(text: String, kind: GoTemplateToken.Kind) throws(GoTemplateError) {
        self.text = text
        switch kind {
        case .charConstant:
            let bytes = Array(text.utf8)
            guard let (rune, _, tail) = GoUnquote.unquoteChar(bytes, from: 1, quote: UInt8(ascii: "'")) else {
                throw GoTemplateError("invalid syntax")
            }
            guard tail == bytes.count - 1, bytes.last == UInt8(ascii: "'") else {
                throw GoTemplateError("malformed character constant: \(text)")
            }
            int = Int64(rune)
            uint = UInt64(rune)
            float = Double(rune)
        case .complex:
            guard let c = Self.parseComplex(text) else { throw GoTemplateError("illegal number syntax: \(GoQuote.quote(text))") }
            setComplex(c)
        default:
            try parsePlain()
        }
    }

    private mutating func parsePlain() throws(GoTemplateError) {
        if text.hasSuffix("i"), let f = Self.parseFloat(String(text.dropLast())) {
            setComplex((0, f))
            return
        }
        uint = Self.parseInteger(text, signed: false).map { UInt64(bitPattern: $0.magnitudeBits) }
        if let i = Self.parseInteger(text, signed: true) {
            int = i.value
            if i.value == 0 { uint = 0 }  // "-0" is a uint too
        }
        if let i = int {
            float = Double(i)
        } else if let u = uint {
            float = Double(u)
        } else if let f = Self.parseFloat(text) {
            // An integer too big for 64 bits parses as a float; Go calls that an overflow.
            guard text.contains(where: { ".eEpP".contains($0) }) else {
                throw GoTemplateError("integer overflow: \(GoQuote.quote(text))")
            }
            float = f
            if f.rounded(.towardZero) == f, f >= -9.223372036854775808e18, f < 9.223372036854775808e18 { int = Int64(f) }
            if f.rounded(.towardZero) == f, f >= 0, f < 1.8446744073709551616e19 { uint = UInt64(f) }
        }
        if int == nil && uint == nil && float == nil {
            throw GoTemplateError("illegal number syntax: \(GoQuote.quote(text))")
        }
    }

    /// A complex constant with no imaginary part is also a float, and maybe an integer.
    private mutating func setComplex(_ c: (Double, Double)) {
        complex = c
        guard c.1 == 0 else { return }
        float = c.0
        if c.0.rounded(.towardZero) == c.0, abs(c.0) < 9.223372036854775808e18 { int = Int64(c.0) }
        if c.0.rounded(.towardZero) == c.0, c.0 >= 0, c.0 < 1.8446744073709551616e19 { uint = UInt64(c.0) }
    }

    /// The value of the constant where nothing asks for a type (Go's `idealConstant`): complex,
    /// float if written like one, else int; `nil` when it does not fit an int.
    var idealValue: GoValue? {
        if let c = complex { return .complex(c.re, c.im) }
        // Go's isHexInt looks at the first two bytes only, so "-0xe" counts as a float, as in Go.
        let isHexInt = (text.hasPrefix("0x") || text.hasPrefix("0X")) && !text.contains(where: { $0 == "p" || $0 == "P" })
        if let f = float, !text.hasPrefix("'"), !isHexInt, text.contains(where: { ".eEpP".contains($0) }) {
            return .float(f)
        }
        if let i = int { return .int(Int(i)) }
        return nil
    }

    // MARK: strconv

    /// `strconv.ParseInt`/`ParseUint` with base 0. `magnitudeBits` is the unsigned value.
    private static func parseInteger(_ text: String, signed: Bool) -> (value: Int64, magnitudeBits: Int64)? {
        var s = Substring(text)
        var negative = false
        if signed, let c = s.first, c == "+" || c == "-" {
            negative = c == "-"
            s = s.dropFirst()
        }
        guard underscoreOK(s) else { return nil }
        var base: UInt64 = 10
        let lower = s.lowercased()
        if lower.hasPrefix("0x") {
            base = 16
            s = s.dropFirst(2)
        } else if lower.hasPrefix("0o") {
            base = 8
            s = s.dropFirst(2)
        } else if lower.hasPrefix("0b") {
            base = 2
            s = s.dropFirst(2)
        } else if s.hasPrefix("0") && s.count > 1 {
            base = 8
            s = s.dropFirst()
        }
        var value: UInt64 = 0
        var sawDigit = false
        for c in s {
            if c == "_" { continue }
            guard let d = c.hexDigitValue, UInt64(d) < base else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: base)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            guard !o1 && !o2 else { return nil }
            value = a
            sawDigit = true
        }
        guard sawDigit else { return nil }
        if !signed { return (0, Int64(bitPattern: value)) }
        if negative {
            guard value <= UInt64(Int64.max) + 1 else { return nil }
            return (value == UInt64(Int64.max) + 1 ? Int64.min : -Int64(value), 0)
        }
        guard value <= UInt64(Int64.max) else { return nil }
        return (Int64(value), 0)
    }

    /// `strconv`'s `underscoreOK`: an underscore only between digits (or after a base prefix).
    private static func underscoreOK(_ text: Substring) -> Bool {
        var s = Array(text.utf8)
        if let c = s.first, c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { s.removeFirst() }
        var saw: Character = "^"
        var i = 0
        var hex = false
        if s.count >= 2, s[0] == UInt8(ascii: "0"), "box".utf8.contains(s[1] | 0x20) {
            i = 2
            saw = "0"
            hex = s[1] | 0x20 == UInt8(ascii: "x")
        }
        while i < s.count {
            let c = s[i]
            if (c >= 0x30 && c <= 0x39) || (hex && (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) {
                saw = "0"
            } else if c == UInt8(ascii: "_") {
                if saw != "0" { return false }
                saw = "_"
            } else {
                if saw == "_" { return false }
                saw = "!"
            }
            i += 1
        }
        return saw != "_"
    }

    /// `strconv.ParseFloat(s, 64)`: Go's syntax is checked here (what `readFloat` accepts, all of
    /// it consumed); the value comes from Swift's correctly rounded conversion. Out of range is
    /// an error, as in Go.
    static func parseFloat(_ text: String) -> Double? {
        let s = Array(text.utf8)
        var i = 0
        if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
        var hex = false
        if i + 2 < s.count, s[i] == UInt8(ascii: "0"), s[i + 1] | 0x20 == UInt8(ascii: "x") {
            hex = true
            i += 2
        }
        var sawDot = false, sawDigits = false, underscores = false
        scan: while i < s.count {
            let c = s[i]
            switch c {
            case UInt8(ascii: "_"): underscores = true
            case UInt8(ascii: "."):
                if sawDot { break scan }
                sawDot = true
            case 0x30...0x39: sawDigits = true
            case _ where hex && (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66: sawDigits = true
            default: break scan
            }
            i += 1
        }
        guard sawDigits else { return nil }
        if i < s.count, s[i] | 0x20 == (hex ? UInt8(ascii: "p") : UInt8(ascii: "e")) {
            i += 1
            if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") { i += 1 }
            guard i < s.count, s[i] >= 0x30, s[i] <= 0x39 else { return nil }
            while i < s.count, (s[i] >= 0x30 && s[i] <= 0x39) || s[i] == UInt8(ascii: "_") {
                if s[i] == UInt8(ascii: "_") { underscores = true }
                i += 1
            }
        } else if hex {
            return nil  // a hex mantissa needs a 'p' exponent
        }
        guard i == s.count else { return nil }
        if underscores && !underscoreOK(Substring(text)) { return nil }
        guard let f = Double(String(text.filter { $0 != "_" })), f.isFinite else { return nil }
        return f
    }

    /// `fmt.Sscan` of a complex constant such as `1+2i` or `-1.2e3-4.5i`.
    private static func parseComplex(_ text: String) -> (Double, Double)? {
        guard text.hasSuffix("i") else { return nil }
        let body = Array(text.dropLast())
        var split: Int?
        for k in stride(from: body.count - 1, to: 0, by: -1) where body[k] == "+" || body[k] == "-" {
            let before = body[k - 1].lowercased()
            if before == "e" || before == "p" { continue }
            split = k
            break
        }
        guard let k = split, let re = parseFloat(String(body[..<k])), let im = parseFloat(String(body[k...])) else { return nil }
        return (re, im)
    }
}
