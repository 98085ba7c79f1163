import FlotillaFixtures
import FlotillaModel
@testable import FlotillaSource
import Testing

/// The scalar resolver against what the old Yams path made of the same text: every rule of
/// Yams' default resolver and constructor, then a corpus of near misses and a seeded fuzz.
struct YAMLScalarTests {
    /// (scalar as written after `v: `, the value Yams gave it)
    static let table: [(String, Value)] = [
        // null: empty, ~, null in three cases; only plain
        ("", .null), ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null),
        ("nULL", "nULL"), ("nil", "nil"), ("~~", "~~"), ("'null'", "null"), ("\"\"", ""), ("''", ""),
        // bool: YAML 1.1 words in lower, Capitalized or UPPER
        ("true", true), ("True", true), ("TRUE", true), ("false", false), ("False", false), ("FALSE", false),
        ("yes", true), ("Yes", true), ("YES", true), ("no", false), ("No", false), ("NO", false),
        ("on", true), ("On", true), ("ON", true), ("off", false), ("Off", false), ("OFF", false),
        ("tRUE", "tRUE"), ("yEs", "yEs"), ("y", "y"), ("n", "n"), ("\"true\"", "true"), ("'on'", "on"),
        // int: decimal, signs, underscores
        ("0", 0), ("7", 7), ("-7", -7), ("+7", 7), ("1_000", 1000), ("1__", 1), ("12_3_4", 1234),
        ("9223372036854775807", .int(Int64.max)), ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", "9223372036854775808"), ("-9223372036854775809", "-9223372036854775809"),
        // int: "-0" and "+0" fall into Yams' octal branch with no digits: strings
        ("-0", "-0"), ("+0", "+0"), ("00", 0), ("0_", 0), ("-0_", "-0_"),
        // int: octal 0 and 0o, binary 0b, hex 0x
        ("012", 10), ("-012", -10), ("0o17", 15), ("-0o17", -15), ("0o", "0o"), ("0o_", "0o_"), ("0_7", 7),
        ("0b101", 5), ("-0b101", -5), ("+0b1_0", 2), ("0b", "0b"), ("0b_", "0b_"), ("0b2", "0b2"),
        ("0x1F", 31), ("0xff", 255), ("-0x10", -16), ("0x_a", 10), ("0x", "0x"), ("0x_", "0x_"), ("0xg", "0xg"),
        ("0X1F", "0X1F"), ("0x8000000000000000", "0x8000000000000000"), ("-0x8000000000000000", .int(Int64.min)),
        // int: base 60
        ("1:30", 90), ("-1:30", -90), ("1:0", 60), ("1:00:00", 3600), ("1_0:5", 605), ("1:60", "1:60"), ("1:5:9", 3909),
        ("0:30", "0:30"), ("1:300", "1:300"), ("1:a", "1:a"),
        // float: decimal forms, exponents, leading dot
        ("1.5", .double(1.5)), ("-1.5", .double(-1.5)), ("+1.5", .double(1.5)), ("1.", .double(1.0)), ("1_0.5", .double(10.5)), ("1.5_0", .double(1.5)), ("09", .double(9.0)), ("0_9", .double(9.0)),
        ("1e5", .double(100_000.0)), ("1E5", .double(100_000.0)), ("1.5e-3", .double(0.0015)), ("1e+2", .double(100.0)), ("1.e2", .double(100.0)),
        (".5", .double(0.5)), ("._5", .double(0.5)), ("._", "._"), (".5e+1", .double(5.0)), (".5e1", ".5e1"), ("-.5", "-.5"), ("+.5", "+.5"),
        ("0.1", .double(0.1)), ("3.14159265358979323846", .double(3.141592653589793)), ("1e400", .double(.infinity)), ("1e-400", .double(0.0)),
        ("123456789012345678901234567890.5", .double(1.2345678901234568e29)),
        // float: base 60, infinity, NaN
        ("1:30.5", .double(90.5)), ("-1:30.", .double(-90.0)), ("1:30", 90), ("1:3.0", .double(63.0)),
        (".inf", .double(.infinity)), (".Inf", .double(.infinity)), (".INF", .double(.infinity)), ("+.inf", .double(.infinity)),
        ("-.inf", .double(-.infinity)), ("-.Inf", .double(-.infinity)), (".iNF", ".iNF"), ("inf", "inf"),
        (".nan", .double(.nan)), (".NaN", .double(.nan)), (".NAN", .double(.nan)), (".Nan", ".Nan"), ("-.nan", "-.nan"),
        // strings: everything else, quoted and block scalars, timestamps, merge and value keys
        ("web", "web"), ("1.2.3", "1.2.3"), ("1e", "1e"), ("1_e5", .double(100_000.0)), ("1_.5e-1", .double(0.15)), ("2001-12-14", "2001-12-14"),
        ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"), ("<<", "<<"), ("=", "="),
        ("'12'", "12"), ("\"1.5\"", "1.5"), ("|\n  12\n", "12\n"), (">-\n  12\n", "12"), ("\"a\\nb\"", "a\nb"),
        ("café", "café"), ("1 2", "1 2"), ("-a", "-a"), ("+", "+"), (".", "."),
        // explicit tags: honoured as Yams' constructors do (quoted ints and floats stay strings)
        ("!!str 12", "12"), ("!!str true", "true"), ("!!str ~", "~"), ("! 12", "12"), ("! true", "true"),
        ("!!int 12", 12), ("!!int \"12\"", "12"), ("!!int 0x-5", -5), ("!!int abc", "abc"), ("!!int _1_", 1),
        ("!!int 1:0", 60), ("!!int ''", ""),
        ("!!float 1", .double(1.0)), ("!!float '1.5'", "1.5"), ("!!float inf", .double(.infinity)), ("!!float 0x10", .double(16.0)),
        ("!!float 1:30", .double(90.0)), ("!!float x", "x"),
        ("!!bool yes", true), ("!!bool \"yes\"", true), ("!!bool tRuE", true), ("!!bool OfF", false), ("!!bool 1", "1"),
        ("!!null x", .null), ("!!null 'x'", .null), ("!!timestamp 2001-12-14", "2001-12-14"), ("!foo 12", "12"),
        ("!<tag:yaml.org,2002:int> 12", 12), ("!!binary aGk=", "aGk="),
    ]

    @Test(arguments: table)
    func resolvesLikeYams(_ written: String, _ expected: Value) {
        let yaml = "v: \(written)\n"
        let reference = YamsReference.documents(yaml)
        #expect(
            YamsReference.same(reference, [["v": expected]]),
            "the table says what Yams said: \(written) → \(String(describing: reference))")
        let loaded = YamsReference.loaded(yaml)
        #expect(YamsReference.same(loaded, [["v": expected]]), "\(written) → \(String(describing: loaded))")
    }

    /// Styles and tags each scalar of the corpus is tried in.
    static let variants: [@Sendable (String) -> String] = [
        { $0 }, { "'\($0)'" }, { "\"\($0)\"" }, { "|\n  \($0)\n" }, { "!!int \($0)" }, { "!!float \($0)" },
        { "!!bool \($0)" }, { "!!null \($0)" }, { "!!str \($0)" }, { "! \($0)" }, { "!!int '\($0)'" },
        { "!!bool '\($0)'" }, { "!!float \"\($0)\"" }, { "!x \($0)" },
    ]

    @Test func nearMissesResolveLikeYams() {
        var corpus: [String] = Self.table.map(\.0).filter { !$0.contains("!") && !$0.contains("\n") && !$0.contains("'") && !$0.contains("\"") }
        for stem in ["0", "1", "-1", "+1", "0o7", "0b1", "0x1", "1:2", "1.5", ".5", "1e5", ".inf", ".nan", "true", "null"] {
            for affix in ["_", "0", "9", ".", "e", "E", ":", "x", "-", "+", "a", "f"] {
                corpus.append(stem + affix)
                corpus.append(affix + stem)
            }
        }
        var failures: [String] = []
        for scalar in corpus {
            for variant in Self.variants {
                let yaml = "v: \(variant(scalar))\n"
                let reference = YamsReference.documents(yaml)
                let loaded = YamsReference.loaded(yaml)
                if !YamsReference.same(reference, loaded) {
                    failures.append("\(yaml.debugDescription): Yams \(String(describing: reference)), loaded \(String(describing: loaded))")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) differences:\n\(failures.prefix(40).joined(separator: "\n"))")
    }

    @Test func seededFuzzResolvesLikeYams() {
        let alphabet = Array("0123456789_:.eE+-xbo afFinNIAtTrRuyYsS~")
        var random = SplitMix64(seed: 0x5CA1A2)
        var failures: [String] = []
        for _ in 0..<4_000 {
            let length = Int(random.next() % 9) + 1
            let scalar = String((0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            let variant = Self.variants[Int(random.next() % UInt64(Self.variants.count))]
            let yaml = "v: \(variant(scalar))\n"
            let reference = YamsReference.documents(yaml)
            let loaded = YamsReference.loaded(yaml)
            if !YamsReference.same(reference, loaded) {
                failures.append("\(yaml.debugDescription): Yams \(String(describing: reference)), loaded \(String(describing: loaded))")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) differences:\n\(failures.prefix(40).joined(separator: "\n"))")
    }
}
