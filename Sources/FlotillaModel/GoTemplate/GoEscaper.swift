/// The escaping builtins `html`, `js` and `urlquery`, byte for byte as Go's `text/template`
/// (`HTMLEscape`, `JSEscape`) and `net/url.QueryEscape` write them.
enum GoEscaper {
    private static let upperHex = Array("0123456789ABCDEF".utf8)

    static func html(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case 0: out += [0xEF, 0xBF, 0xBD]  // NUL becomes U+FFFD
            case UInt8(ascii: "\""): out += Array("&#34;".utf8)
            case UInt8(ascii: "'"): out += Array("&#39;".utf8)
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            default: out.append(c)
            }
        }
        return out
    }

    static func js(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            let c = s[i]
            if c >= 0x80 {
                // Printable runes stay; others become \uXXXX (an invalid byte is printable U+FFFD).
                let (r, width) = GoUTF8.decode(s, at: i)
                if GoUTF8.isPrint(r) {
                    out += s[i..<i + width]
                } else {
                    var hex = String(r, radix: 16, uppercase: true)
                    while hex.count < 4 { hex = "0" + hex }
                    out += Array("\\u\(hex)".utf8)
                }
                i += width
                continue
            }
            switch c {
            case UInt8(ascii: "\\"): out += Array("\\\\".utf8)
            case UInt8(ascii: "'"): out += Array("\\'".utf8)
            case UInt8(ascii: "\""): out += Array("\\\"".utf8)
            case UInt8(ascii: "<"): out += Array("\\u003C".utf8)
            case UInt8(ascii: ">"): out += Array("\\u003E".utf8)
            case UInt8(ascii: "&"): out += Array("\\u0026".utf8)
            case UInt8(ascii: "="): out += Array("\\u003D".utf8)
            case ..<0x20: out += Array("\\u00".utf8) + [upperHex[Int(c >> 4)], upperHex[Int(c & 0xF)]]
            default: out.append(c)
            }
            i += 1
        }
        return out
    }

    /// `url.QueryEscape`: unreserved bytes stay, space becomes `+`, the rest `%XX`.
    static func urlQuery(_ s: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(c)
            case UInt8(ascii: " "): out.append(UInt8(ascii: "+"))
            default: out += [UInt8(ascii: "%"), upperHex[Int(c >> 4)], upperHex[Int(c & 0xF)]]
            }
        }
        return out
    }
}
