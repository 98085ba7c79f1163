/// Parses JSON text into a ``Value`` in one pass over the bytes.
///
/// `JSONDecoder` decodes a ``Value`` by trying each type in turn and catching the errors, which
/// costs milliseconds per bundle; an agent (or the fleet simulator, thousands of them) decodes
/// every bundle it receives, so this reads the bytes directly. Semantics match the decoder's:
/// a number that is exactly an integer fitting `Int64` (`7`, `1.0`, `1e3`) is `.int`, any other
/// number `.double`; a repeated key keeps its first value. Total: any bytes give a value or an error, never a crash, with nesting
/// bounded like the decoder's.
public struct JSONValueParser {
    /// Why the bytes are not JSON, and where.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var offset: Int
        public var message: String
        public var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    /// Nesting deeper than this is refused, as `JSONDecoder` does.
    public static let maxDepth = 512

    /// Parses a whole JSON text (surrounding whitespace allowed).
    public static func parse(_ bytes: [UInt8]) throws(Failure) -> Value {
        try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> Value in
            var parser = JSONValueParser(buffer)
            parser.skipSpace()
            let value = try parser.value(depth: 0)
            parser.skipSpace()
            guard parser.at == buffer.count else { throw parser.fail("unexpected text after the value") }
            return value
        }
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private func fail(_ message: String) -> Failure { Failure(offset: at, message: message) }

    private mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
    }

    private mutating func literal(_ word: StaticString, _ value: Value) throws(Failure) -> Value {
        let count = word.utf8CodeUnitCount
        guard at + count <= bytes.count else { throw fail("truncated literal") }
        for i in 0..<count where bytes[at + i] != word.utf8Start[i] { throw fail("unknown literal") }
        at += count
        return value
    }

    private mutating func value(depth: Int) throws(Failure) -> Value {
        guard depth < Self.maxDepth else { throw fail("nested more than \(Self.maxDepth) deep") }
        guard at < bytes.count else { throw fail("unexpected end") }
        switch bytes[at] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    private mutating func object(depth: Int) throws(Failure) -> Value {
        at += 1
        var out: [String: Value] = [:]
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
            at += 1
            return .object(out)
        }
        while true {
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = try string()
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            at += 1
            skipSpace()
            let item = try value(depth: depth + 1)
            // The first of a repeated key wins, as with JSONDecoder.
            if out[key] == nil { out[key] = item }
            skipSpace()
            guard at < bytes.count else { throw fail("unterminated object") }
            if bytes[at] == UInt8(ascii: ",") {
                at += 1
                continue
            }
            guard bytes[at] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
            at += 1
            return .object(out)
        }
    }

    private mutating func array(depth: Int) throws(Failure) -> Value {
        at += 1
        var out: [Value] = []
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
            at += 1
            return .array(out)
        }
        while true {
            skipSpace()
            out.append(try value(depth: depth + 1))
            skipSpace()
            guard at < bytes.count else { throw fail("unterminated array") }
            if bytes[at] == UInt8(ascii: ",") {
                at += 1
                continue
            }
            guard bytes[at] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
            at += 1
            return .array(out)
        }
    }

    private mutating func string() throws(Failure) -> String {
        at += 1
        let start = at
        // The common case: no escapes, so the bytes are the string.
        while at < bytes.count, bytes[at] != UInt8(ascii: "\""), bytes[at] != UInt8(ascii: "\\"), bytes[at] >= 0x20 { at += 1 }
        guard at < bytes.count else { throw fail("unterminated string") }
        if bytes[at] == UInt8(ascii: "\"") {
            let s = try utf8(start..<at)
            at += 1
            return s
        }
        var raw = Array(bytes[start..<at])
        while true {
            guard at < bytes.count else { throw fail("unterminated string") }
            let b = bytes[at]
            if b == UInt8(ascii: "\"") {
                at += 1
                guard let s = String(validating: raw, as: UTF8.self) else { throw fail("string is not UTF-8") }
                return s
            }
            guard b >= 0x20 else { throw fail("control character in string") }
            guard b == UInt8(ascii: "\\") else {
                raw.append(b)
                at += 1
                continue
            }
            at += 1
            guard at < bytes.count else { throw fail("unterminated escape") }
            let e = bytes[at]
            at += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): raw.append(e)
            case UInt8(ascii: "b"): raw.append(0x08)
            case UInt8(ascii: "f"): raw.append(0x0C)
            case UInt8(ascii: "n"): raw.append(0x0A)
            case UInt8(ascii: "r"): raw.append(0x0D)
            case UInt8(ascii: "t"): raw.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                        throw fail("lone surrogate")
                    }
                    at += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("lone surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw fail("lone surrogate")
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
                raw.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw fail("unknown escape")
            }
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard at + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[at]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw fail("bad \\u escape")
            }
            v = v << 4 | d
            at += 1
        }
        return v
    }

    private func utf8(_ range: Range<Int>) throws(Failure) -> String {
        guard let s = String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) else {
            throw Failure(offset: range.lowerBound, message: "string is not UTF-8")
        }
        return s
    }

    /// JSON's number grammar exactly: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func number() throws(Failure) -> Value {
        let start = at
        func digits() -> Int {
            let from = at
            while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9") { at += 1 }
            return at - from
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: "-") { at += 1 }
        let intStart = at
        let intDigits = digits()
        guard intDigits > 0 else { throw Failure(offset: start, message: "unexpected character") }
        guard intDigits == 1 || bytes[intStart] != UInt8(ascii: "0") else { throw Failure(offset: start, message: "leading zero") }
        var integral = true
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
            at += 1
            integral = false
            guard digits() > 0 else { throw fail("digits expected after '.'") }
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
            at += 1
            integral = false
            if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard digits() > 0 else { throw fail("digits expected in exponent") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        if integral, let i = Int64(text) { return .int(i) }
        if !integral, let i = Self.exactInteger(text) { return .int(i) }
        guard let d = Double(text), d.isFinite else { throw Failure(offset: start, message: "number out of range") }
        return .double(d)
    }

    /// The integer a literal with a fraction or exponent denotes exactly (`1.0`, `1e3`,
    /// `1.5e1`), when it fits `Int64`: `JSONDecoder` gives those as integers too.
    static func exactInteger(_ text: String) -> Int64? {
        var utf8 = Substring(text).utf8[...]
        let negative = utf8.first == UInt8(ascii: "-")
        if negative { utf8 = utf8.dropFirst() }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var exponent = 0
        var inFraction = false
        var rest = utf8.makeIterator()
        while let c = rest.next() {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(c - UInt8(ascii: "0"))
                if inFraction { fractionDigits += 1 }
            case UInt8(ascii: "."): inFraction = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                var tail = ""
                while let t = rest.next() { tail.append(Character(Unicode.Scalar(t))) }
                guard let e = Int(tail), abs(e) < 400 else { return nil }
                exponent = e
            default: return nil
            }
        }
        var scale = exponent - fractionDigits
        // Dropping zeros at the end is exact; any other digit below the unit is a fraction.
        while scale < 0, let last = digits.last, last == 0 {
            digits.removeLast()
            scale += 1
        }
        guard scale >= 0 else { return nil }
        while digits.first == 0, digits.count > 1 { digits.removeFirst() }
        guard digits.count + scale <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for d in digits + [UInt8](repeating: 0, count: scale) {
            let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(UInt64(d))
            guard !o1, !o2 else { return nil }
            magnitude = m2
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }
}
