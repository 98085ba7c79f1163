import FlotillaModel

/// A YAML scalar as a ``Value``, exactly as Yams' default `Resolver` and `Constructor` (which
/// FlotillaSource used before it read libyaml's events itself) made it, but with byte checks
/// in place of Yams' regular expressions:
///
/// - quoted and block scalars, and `!` or `!!str`, are strings;
/// - a plain scalar is, by the first of Yams' rules it matches: a boolean (`true`/`false`, and
///   YAML 1.1's `yes`/`no`/`on`/`off`, each lower, Capitalized or UPPER), an integer (decimal,
///   `0b` binary, `0`/`0o` octal, `0x` hex, `_` anywhere after the first digit, base-60
///   `1:30`), a float (`1.5`, `1e5`, `.5`, `1:30.5`, `.inf`, `-.inf`, `.nan`), null (empty, `~`,
///   `null`/`Null`/`NULL`), otherwise a string (Yams' timestamps, `<<` and `=` included);
/// - an integer or float its rule matched but Yams could not construct (out of range, a
///   bare `0x`) stays the string it was written as;
/// - `!!null` is null, `!!bool`, `!!int`, `!!float` construct as Yams did (nil: the string).
enum ScalarResolver {
    static func value(_ s: UnsafeBufferPointer<UInt8>, tag: UnsafePointer<UInt8>?, quotedImplicit: Bool, plain: Bool) -> Value {
        if quotedImplicit { return string(s) }
        guard let tag else { return implicit(s, plain: plain) }
        switch Tag(tag) {
        case .null: return .null
        case .bool: return bool(s).map(Value.bool) ?? string(s)
        case .int: return (plain ? int(s) : nil).map(Value.int) ?? string(s)
        case .float: return (plain ? double(s) : nil).map(Value.double) ?? string(s)
        case .other: return string(s)
        }
    }

    /// A plain, untagged scalar: by the first rule of Yams' default resolver it matches.
    static func implicit(_ s: UnsafeBufferPointer<UInt8>, plain: Bool = true) -> Value {
        guard let first = s.first else { return .null }
        switch first {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."):
            if isInt(s) { return (plain ? int(s) : nil).map(Value.int) ?? string(s) }
            if isFloat(s) { return (plain ? double(s) : nil).map(Value.double) ?? string(s) }
            return string(s)
        case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"),
            UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "n"), UInt8(ascii: "N"):
            if let b = boolWord(s) { return .bool(b) }
            if isWord(s, "null") { return .null }
            return string(s)
        case UInt8(ascii: "~"):
            return s.count == 1 ? .null : string(s)
        default:
            return string(s)
        }
    }

    @inline(__always) static func string(_ s: UnsafeBufferPointer<UInt8>) -> Value {
        .string(String(decoding: s, as: UTF8.self))
    }

    /// The tags Yams' constructor treats apart; every other tag gives a string.
    enum Tag {
        case null, bool, int, float, other

        init(_ tag: UnsafePointer<UInt8>) {
            // "tag:yaml.org,2002:" then the name.
            let prefix: StaticString = "tag:yaml.org,2002:"
            var i = 0
            while i < prefix.utf8CodeUnitCount {
                guard tag[i] == prefix.utf8Start[i] else { self = .other; return }
                i += 1
            }
            let name = UnsafePointer(tag + i)
            func named(_ word: StaticString) -> Bool {
                for j in 0..<word.utf8CodeUnitCount where name[j] != word.utf8Start[j] { return false }
                return name[word.utf8CodeUnitCount] == 0
            }
            if named("null") { self = .null }
            else if named("bool") { self = .bool }
            else if named("int") { self = .int }
            else if named("float") { self = .float }
            else { self = .other }
        }
    }
}
