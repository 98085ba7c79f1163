/// The verbs of ``GoFormatter`` by operand type, and Go's padding, precision and flag rules
/// (`fmt/format.go`).
extension GoFormatter {
    mutating func fmtString(_ s: [UInt8], verb: UInt32, _ arg: GoValue) {
        switch verb {
        case UInt32(UInt8(ascii: "v")): if f.sharpV { fmtQ(s) } else { fmtS(s) }
        case UInt32(UInt8(ascii: "s")): fmtS(s)
        case UInt32(UInt8(ascii: "x")): fmtSx(s, Self.lowerDigits)
        case UInt32(UInt8(ascii: "X")): fmtSx(s, Self.upperDigits)
        case UInt32(UInt8(ascii: "q")): fmtQ(s)
        default: badVerb(verb, arg)
        }
    }

    mutating func fmtInteger(_ u: UInt64, signed: Bool, verb: UInt32, _ arg: GoValue) {
        switch verb {
        case UInt32(UInt8(ascii: "v")):
            if f.sharpV && !signed {
                let sharp = f.sharp
                f.sharp = true
                formatInteger(u, base: 16, signed: false, verb: verb, digits: Self.lowerDigits)
                f.sharp = sharp
            } else {
                formatInteger(u, base: 10, signed: signed, verb: verb, digits: Self.lowerDigits)
            }
        case UInt32(UInt8(ascii: "d")): formatInteger(u, base: 10, signed: signed, verb: verb, digits: Self.lowerDigits)
        case UInt32(UInt8(ascii: "b")): formatInteger(u, base: 2, signed: signed, verb: verb, digits: Self.lowerDigits)
        case UInt32(UInt8(ascii: "o")), UInt32(UInt8(ascii: "O")):
            formatInteger(u, base: 8, signed: signed, verb: verb, digits: Self.lowerDigits)
        case UInt32(UInt8(ascii: "x")): formatInteger(u, base: 16, signed: signed, verb: verb, digits: Self.lowerDigits)
        case UInt32(UInt8(ascii: "X")): formatInteger(u, base: 16, signed: signed, verb: verb, digits: Self.upperDigits)
        case UInt32(UInt8(ascii: "c")):
            var b: [UInt8] = []
            GoUTF8.append(u > 0x10FFFF ? GoUTF8.runeError : UInt32(u), to: &b)
            pad(b)
        case UInt32(UInt8(ascii: "q")): pad(Array(GoQuote.quoteRune(u, asciiOnly: f.plus).utf8))
        case UInt32(UInt8(ascii: "U")): fmtUnicode(u)
        default: badVerb(verb, arg)
        }
    }

    mutating func fmtFloat(_ x: Double, verb: UInt32, _ arg: GoValue) {
        switch verb {
        case UInt32(UInt8(ascii: "v")): formatFloat(x, verb: UInt8(ascii: "g"), prec: -1)
        case UInt32(UInt8(ascii: "b")), UInt32(UInt8(ascii: "g")), UInt32(UInt8(ascii: "G")), UInt32(UInt8(ascii: "x")),
            UInt32(UInt8(ascii: "X")):
            formatFloat(x, verb: UInt8(verb), prec: -1)
        case UInt32(UInt8(ascii: "f")), UInt32(UInt8(ascii: "e")), UInt32(UInt8(ascii: "E")):
            formatFloat(x, verb: UInt8(verb), prec: 6)
        case UInt32(UInt8(ascii: "F")): formatFloat(x, verb: UInt8(ascii: "f"), prec: 6)
        default: badVerb(verb, arg)
        }
    }

    // MARK: Padding (fmt/format.go)

    private mutating func writePadding(_ n: Int) {
        guard n > 0 else { return }
        buf += [UInt8](repeating: f.zero ? UInt8(ascii: "0") : UInt8(ascii: " "), count: n)
    }

    /// Pads to the width, counted in runes.
    mutating func pad(_ b: [UInt8]) {
        guard f.widPresent && f.wid != 0 else {
            buf += b
            return
        }
        let width = f.wid - GoUTF8.runeCount(b)
        if f.minus {
            buf += b
            writePadding(width)
        } else {
            writePadding(width)
            buf += b
        }
    }

    /// Precision cuts a string to that many runes.
    private func truncate(_ s: [UInt8]) -> [UInt8] {
        guard f.precPresent else { return s }
        var i = 0, n = f.prec
        while i < s.count {
            n -= 1
            if n < 0 { return Array(s[..<i]) }
            i += GoUTF8.decode(s, at: i).width
        }
        return s
    }

    mutating func fmtS(_ s: [UInt8]) { pad(truncate(s)) }

    private mutating func fmtQ(_ s: [UInt8]) {
        let s = truncate(s)
        if f.sharp && GoQuote.canBackquote(s) {
            pad([UInt8(ascii: "`")] + s + [UInt8(ascii: "`")])
        } else {
            pad(Array(GoQuote.quote(s, asciiOnly: f.plus).utf8))
        }
    }

    /// `%x` of a string: two hex digits a byte; `% x` spaces them, `%#x` prefixes 0x.
    private mutating func fmtSx(_ s: [UInt8], _ digits: [UInt8]) {
        var length = s.count
        if f.precPresent && f.prec < length { length = f.prec }
        var width = 2 * length
        guard width > 0 else {
            if f.widPresent { writePadding(f.wid) }
            return
        }
        if f.space {
            if f.sharp { width *= 2 }
            width += length - 1
        } else if f.sharp {
            width += 2
        }
        if f.widPresent && f.wid > width && !f.minus { writePadding(f.wid - width) }
        if f.sharp { buf += [UInt8(ascii: "0"), digits[16]] }
        for i in 0..<length {
            if f.space && i > 0 {
                buf.append(0x20)
                if f.sharp { buf += [UInt8(ascii: "0"), digits[16]] }
            }
            buf += [digits[Int(s[i] >> 4)], digits[Int(s[i] & 0xF)]]
        }
        if f.widPresent && f.wid > width && f.minus { writePadding(f.wid - width) }
    }

    private mutating func fmtUnicode(_ u: UInt64) {
        var prec = 4
        if f.precPresent && f.prec > 4 { prec = f.prec }
        var hex = Array(String(u, radix: 16, uppercase: true).utf8)
        if hex.count < prec { hex = [UInt8](repeating: UInt8(ascii: "0"), count: prec - hex.count) + hex }
        var out = Array("U+".utf8) + hex
        if f.sharp && u <= 0x10FFFF && GoUTF8.isPrint(UInt32(u)) {
            out += Array(" '".utf8)
            GoUTF8.append(UInt32(u), to: &out)
            out.append(UInt8(ascii: "'"))
        }
        let oldZero = f.zero
        f.zero = false
        pad(out)
        f.zero = oldZero
    }

    private mutating func formatInteger(_ value: UInt64, base: UInt64, signed: Bool, verb: UInt32, digits: [UInt8]) {
        let negative = signed && Int64(bitPattern: value) < 0
        var u = negative ? 0 &- value : value
        var prec = 0
        if f.precPresent {
            prec = f.prec
            if prec == 0 && u == 0 {  // %.0d of 0 prints nothing but padding
                let oldZero = f.zero
                f.zero = false
                writePadding(f.wid)
                f.zero = oldZero
                return
            }
        } else if f.zero && f.widPresent {
            prec = f.wid
            if negative || f.plus || f.space { prec -= 1 }  // leave room for the sign
        }
        var rev: [UInt8] = []
        repeat {
            rev.append(digits[Int(u % base)])
            u /= base
        } while u > 0
        while rev.count < prec { rev.append(UInt8(ascii: "0")) }
        if f.sharp {
            switch base {
            case 2: rev += [UInt8(ascii: "b"), UInt8(ascii: "0")]
            case 8: if rev.last != UInt8(ascii: "0") { rev.append(UInt8(ascii: "0")) }
            case 16: rev += [digits[16], UInt8(ascii: "0")]
            default: break
            }
        }
        if verb == UInt32(UInt8(ascii: "O")) { rev += [UInt8(ascii: "o"), UInt8(ascii: "0")] }
        if negative {
            rev.append(UInt8(ascii: "-"))
        } else if f.plus {
            rev.append(UInt8(ascii: "+"))
        } else if f.space {
            rev.append(UInt8(ascii: " "))
        }
        let oldZero = f.zero
        f.zero = false
        pad(rev.reversed())
        f.zero = oldZero
    }

    private mutating func formatFloat(_ x: Double, verb: UInt8, prec defaultPrec: Int) {
        let prec = f.precPresent ? f.prec : defaultPrec
        let formatted = GoFloatFormat.format(x, verb: verb, prec: prec)
        // num[0] is the sign, always present here.
        var num: [UInt8] = formatted.first == UInt8(ascii: "-") || formatted.first == UInt8(ascii: "+")
            ? formatted : [UInt8(ascii: "+")] + formatted
        if f.space && num[0] == UInt8(ascii: "+") && !f.plus { num[0] = UInt8(ascii: " ") }
        if num[1] == UInt8(ascii: "I") || num[1] == UInt8(ascii: "N") {
            // Infinities and NaN are never zero-padded; NaN has no sign unless asked.
            let oldZero = f.zero
            f.zero = false
            if num[1] == UInt8(ascii: "N") && !f.space && !f.plus { num.removeFirst() }
            pad(num)
            f.zero = oldZero
            return
        }
        if f.sharp && verb != UInt8(ascii: "b") { num = Self.sharpFloat(num, verb: verb, prec: prec) }
        if f.plus || num[0] != UInt8(ascii: "+") {
            if f.zero && f.widPresent && f.wid > num.count {
                buf.append(num[0])
                writePadding(f.wid - num.count)
                buf += num[1...]
                return
            }
            pad(num)
            return
        }
        pad(Array(num[1...]))
    }

    /// `%#g` and friends: keep the decimal point, and for `g`/`v` the trailing zeros.
    private static func sharpFloat(_ input: [UInt8], verb: UInt8, prec: Int) -> [UInt8] {
        var num = input
        var digits = 0
        if "vgGx".utf8.contains(verb) { digits = prec == -1 ? 6 : prec }
        var tail: [UInt8] = []
        var hasDecimalPoint = false, sawNonzeroDigit = false
        var i = 1
        scan: while i < num.count {
            switch num[i] {
            case UInt8(ascii: "."): hasDecimalPoint = true
            case UInt8(ascii: "p"), UInt8(ascii: "P"):
                tail = Array(num[i...])
                num.removeSubrange(i...)
                break scan
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                // In %x, e is a hex digit, not an exponent.
                if verb != UInt8(ascii: "x") && verb != UInt8(ascii: "X") {
                    tail = Array(num[i...])
                    num.removeSubrange(i...)
                    break scan
                }
                if sawNonzeroDigit || num[i] != UInt8(ascii: "0") { sawNonzeroDigit = true }
                digits -= 1
            default:
                if num[i] != UInt8(ascii: "0") { sawNonzeroDigit = true }
                if sawNonzeroDigit { digits -= 1 }
            }
            i += 1
        }
        if !hasDecimalPoint {
            if num.count == 2 && num[1] == UInt8(ascii: "0") { digits -= 1 }  // a lone 0 counts as a digit
            num.append(UInt8(ascii: "."))
        }
        while digits > 0 {
            num.append(UInt8(ascii: "0"))
            digits -= 1
        }
        return num + tail
    }
}
