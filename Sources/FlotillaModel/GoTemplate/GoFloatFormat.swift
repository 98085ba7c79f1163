#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Go's `strconv.FormatFloat(x, verb, prec, 64)` for the verbs `e E f g G b x X`.
///
/// Digits come from two exact sources: Swift's shortest round-trip description (what Go's
/// shortest formatting also produces) and C's `%.*e`/`%.*f`, which round the exact binary value
/// half to even as Go's `strconv` does. The layout (`fmtE`, `fmtF`, `%g`'s choice, `%b`, `%x`)
/// is Go's.
enum GoFloatFormat {
    static func format(_ x: Double, verb: UInt8, prec: Int) -> [UInt8] {
        if x.isNaN { return Array("NaN".utf8) }
        if x.isInfinite { return Array((x < 0 ? "-Inf" : "+Inf").utf8) }
        let neg = x.sign == .minus
        switch verb {
        case UInt8(ascii: "b"): return formatB(x)
        case UInt8(ascii: "x"), UInt8(ascii: "X"): return formatX(x, prec: prec, upper: verb == UInt8(ascii: "X"))
        case UInt8(ascii: "f"):
            guard prec >= 0 else {
                let d = shortestDigits(x)
                return fmtF(neg: neg, d, prec: max(d.digits.count - d.dp, 0))
            }
            return (neg ? [UInt8(ascii: "-")] : []) + cFormat(abs(x), "f", prec)
        case UInt8(ascii: "e"), UInt8(ascii: "E"):
            let d = prec < 0 ? shortestDigits(x) : roundedDigits(x, significant: prec + 1)
            return fmtE(neg: neg, d, prec: prec < 0 ? max(d.digits.count - 1, 0) : prec, e: verb)
        default:  // g, G
            let shortest = prec < 0
            let d = shortest ? shortestDigits(x) : roundedDigits(x, significant: prec == 0 ? 1 : prec)
            var p = shortest ? d.digits.count : (prec == 0 ? 1 : prec)
            var eprec = p
            if eprec > d.digits.count && d.digits.count >= d.dp { eprec = d.digits.count }
            // %e is used if the exponent is < -4 or >= the precision; shortest decides with 6.
            if shortest { eprec = 6 }
            let exp = d.dp - 1
            if exp < -4 || exp >= eprec {
                if p > d.digits.count { p = d.digits.count }
                return fmtE(neg: neg, d, prec: p - 1, e: verb == UInt8(ascii: "G") ? UInt8(ascii: "E") : UInt8(ascii: "e"))
            }
            if p > d.dp { p = d.digits.count }
            return fmtF(neg: neg, d, prec: max(p - d.dp, 0))
        }
    }

    /// Decimal digits (no trailing zeros) and the decimal point's position: value = 0.DIGITS × 10^dp.
    struct Digits {
        var digits: [UInt8]
        var dp: Int
    }

    static func shortestDigits(_ x: Double) -> Digits {
        parse(abs(x).description)
    }

    static func roundedDigits(_ x: Double, significant: Int) -> Digits {
        parse(String(decoding: cFormat(abs(x), "e", significant - 1), as: UTF8.self))
    }

    /// Reads "123.45", "1.2345e+02" or "1e-05" into digits and point position.
    private static func parse(_ text: String) -> Digits {
        let parts = text.split(separator: "e", maxSplits: 1)
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        var digits: [UInt8] = []
        var dp = 0
        var seenPoint = false
        for c in parts[0].utf8 {
            if c == UInt8(ascii: ".") {
                seenPoint = true
                continue
            }
            if digits.isEmpty && c == UInt8(ascii: "0") {
                if seenPoint { dp -= 1 }
                continue
            }
            digits.append(c)
            if !seenPoint { dp += 1 }
        }
        while digits.last == UInt8(ascii: "0") { digits.removeLast() }
        if digits.isEmpty { return Digits(digits: [], dp: 0) }
        return Digits(digits: digits, dp: dp + exponent)
    }

    /// C's formatting of a non-negative finite value: correctly rounded digits.
    private static func cFormat(_ x: Double, _ conversion: String, _ prec: Int) -> [UInt8] {
        var size = 64 + prec + (conversion == "f" ? 330 : 0)
        while true {
            var buffer = [CChar](repeating: 0, count: size)
            let n = withVaList([prec, x]) { vsnprintf(&buffer, size, "%.*" + conversion, $0) }
            if n >= 0 && Int(n) < size {
                return buffer[..<Int(n)].map { UInt8(bitPattern: $0) }
            }
            size = Int(n) + 1
        }
    }

    /// Go's `fmtE`: d.ddddde±dd.
    private static func fmtE(neg: Bool, _ d: Digits, prec: Int, e: UInt8) -> [UInt8] {
        var out: [UInt8] = neg ? [UInt8(ascii: "-")] : []
        out.append(d.digits.first ?? UInt8(ascii: "0"))
        if prec > 0 {
            out.append(UInt8(ascii: "."))
            for i in 1...prec { out.append(i < d.digits.count ? d.digits[i] : UInt8(ascii: "0")) }
        }
        out.append(e)
        var exp = d.digits.isEmpty ? 0 : d.dp - 1
        out.append(exp < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        exp = abs(exp)
        var expDigits = Array(String(exp).utf8)
        if expDigits.count < 2 { expDigits.insert(UInt8(ascii: "0"), at: 0) }
        return out + expDigits
    }

    /// Go's `fmtF`: ddd.ddd.
    private static func fmtF(neg: Bool, _ d: Digits, prec: Int) -> [UInt8] {
        var out: [UInt8] = neg ? [UInt8(ascii: "-")] : []
        if d.dp > 0 {
            for i in 0..<d.dp { out.append(i < d.digits.count ? d.digits[i] : UInt8(ascii: "0")) }
        } else {
            out.append(UInt8(ascii: "0"))
        }
        if prec > 0 {
            out.append(UInt8(ascii: "."))
            for i in 0..<prec {
                let j = d.dp + i
                out.append(j >= 0 && j < d.digits.count ? d.digits[j] : UInt8(ascii: "0"))
            }
        }
        return out
    }

    /// The significand bits and unbiased binary exponent, as Go's `genericFtoa` takes them.
    private static func bits(_ x: Double) -> (mant: UInt64, exp: Int) {
        var exp = Int(x.bitPattern >> 52 & 0x7FF)
        var mant = x.bitPattern & (1 << 52 - 1)
        if exp == 0 { exp += 1 } else { mant |= 1 << 52 }
        return (mant, exp - 1023)
    }

    /// `%b`: decimal mantissa, binary exponent: 4503599627370496p-52.
    private static func formatB(_ x: Double) -> [UInt8] {
        let (mant, exp) = bits(x)
        let e = exp - 52
        return Array(((x.sign == .minus ? "-" : "") + "\(mant)p" + (e >= 0 ? "+" : "") + "\(e)").utf8)
    }

    /// `%x`: hexadecimal mantissa and binary exponent, 0x1.8p+01, rounded to `prec` hex digits.
    private static func formatX(_ x: Double, prec: Int, upper: Bool) -> [UInt8] {
        var (mant, exp) = bits(x)
        if mant == 0 { exp = 0 }
        mant <<= 60 - 52
        while mant != 0 && mant & (1 << 60) == 0 {
            mant <<= 1
            exp -= 1
        }
        if prec >= 0 && prec < 15 {
            let shift = UInt64(prec * 4)
            let extra = (mant << shift) & (1 << 60 - 1)
            mant >>= 60 - shift
            if extra | (mant & 1) > 1 << 59 { mant += 1 }
            mant <<= 60 - shift
            if mant & (1 << 61) != 0 {
                mant >>= 1
                exp += 1
            }
        }
        let hex = Array((upper ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var out: [UInt8] = x.sign == .minus ? [UInt8(ascii: "-")] : []
        out += [UInt8(ascii: "0"), upper ? UInt8(ascii: "X") : UInt8(ascii: "x"), UInt8(ascii: "0") + UInt8(mant >> 60 & 1)]
        mant <<= 4
        if prec < 0 && mant != 0 {
            out.append(UInt8(ascii: "."))
            while mant != 0 {
                out.append(hex[Int(mant >> 60 & 15)])
                mant <<= 4
            }
        } else if prec > 0 {
            out.append(UInt8(ascii: "."))
            for _ in 0..<prec {
                out.append(hex[Int(mant >> 60 & 15)])
                mant <<= 4
            }
        }
        out.append(upper ? UInt8(ascii: "P") : UInt8(ascii: "p"))
        out.append(exp < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        exp = abs(exp)
        var expDigits = Array(String(exp).utf8)
        if expDigits.count < 2 { expDigits.insert(UInt8(ascii: "0"), at: 0) }
        return out + expDigits
    }
}
