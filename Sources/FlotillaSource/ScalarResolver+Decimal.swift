/// Swift's `Double(_:)` for Yams' float constructor, with a fast path for what manifests hold.
extension ScalarResolver {
    private static let minus = UInt8(ascii: "-")
    private static let plus = UInt8(ascii: "+")

    /// Swift's `Double(_:)`: plain decimals (at most 15 significant digits, exponent within
    /// ±22, where one rounding is exact) directly, anything else through the standard library.
    static func parseDouble(_ s: UnsafeBufferPointer<UInt8>) -> Double? {
        if let d = simpleDecimal(s) { return d }
        return Double(String(decoding: s, as: UTF8.self))
    }

    private static let powersOfTen: [Double] = (0...22).map { Double("1e\($0)")! }

    private static func simpleDecimal(_ s: UnsafeBufferPointer<UInt8>) -> Double? {
        let n = s.count
        var i = 0
        var negative = false
        if i < n && (s[i] == minus || s[i] == plus) {
            negative = s[i] == minus
            i += 1
        }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var sawDigit = false
        var fraction = false
        while i < n {
            let c = s[i]
            if isDigit(c) {
                sawDigit = true
                if mantissa != 0 || c != UInt8(ascii: "0") {
                    guard significant < 15 else { return nil }
                    mantissa = mantissa * 10 + UInt64(c &- UInt8(ascii: "0"))
                    significant += 1
                }
                if fraction { exponent -= 1 }
            } else if c == UInt8(ascii: ".") && !fraction {
                fraction = true
            } else {
                break
            }
            i += 1
        }
        guard sawDigit else { return nil }
        if i < n {
            guard s[i] | 0x20 == UInt8(ascii: "e") else { return nil }
            i += 1
            var negativeExponent = false
            if i < n && (s[i] == minus || s[i] == plus) {
                negativeExponent = s[i] == minus
                i += 1
            }
            guard i < n && n - i <= 4 else { return nil }
            var e = 0
            while i < n {
                guard isDigit(s[i]) else { return nil }
                e = e * 10 + Int(s[i] &- UInt8(ascii: "0"))
                i += 1
            }
            exponent += negativeExponent ? -e : e
        }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        guard exponent >= -22 && exponent <= 22 else { return nil }
        let m = Double(mantissa)
        let v = exponent < 0 ? m / powersOfTen[-exponent] : m * powersOfTen[exponent]
        return negative ? -v : v
    }
}
