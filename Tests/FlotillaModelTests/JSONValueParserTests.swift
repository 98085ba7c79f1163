import FlotillaFixtures
import FlotillaModel
import Foundation
import Testing

/// The one-pass JSON reader gives what `JSONDecoder` gives for a ``Value``, and refuses what
/// it refuses, without ever crashing.
struct JSONValueParserTests {
    static func decoded(_ text: String) -> Value? {
        try? JSONDecoder().decode(Value.self, from: Data(text.utf8))
    }

    static let valid: [String] = [
        "null", "true", "false", "0", "-0", "7", "-12", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "1.5", "-0.25", "1e3", "1E-2", "2.5e+10", "1.0", "123456789012345678901234567890",
        "-0.0", "1e30", "9007199254740993.0", "1.5e1", "120e-1", "-12.0", "0.000e5",
        #""""#, #""plain""#, #""a\"b\\c\/d\b\f\n\r\t""#, #""\u00e9\u4e2d""#, #""\ud83d\ude00""#, "\"héllo ✓\"",
        "[]", "{}", "[1,\"x\",null,[true,{}]]", #"{"a":1,"b":{"c":[1,2,{"d":null}]}}"#,
        " \n\t{ \"k\" : [ 1 , 2 ] } \r\n", #"{"dup":1,"dup":2}"#,
    ]

    static let invalid: [String] = [
        "", " ", "nul", "tru", "01", "-", "1.", ".5", "1e", "+1", "[1,]", "[1 2]", "{\"a\"}", "{\"a\":}", "{a:1}",
        "{\"a\":1,}", "\"unterminated", "\"bad \\x escape\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\u12\"", "[1]]", "1 2",
        "\"tab\there\"", "NaN", "Infinity", "1e999",
    ]

    @Test(arguments: valid)
    func validTextGivesWhatJSONDecoderGives(_ text: String) throws {
        let expected = try #require(Self.decoded(text), "JSONDecoder accepts \(text)")
        #expect(try JSONValueParser.parse(Array(text.utf8)) == expected)
    }

    @Test(arguments: invalid)
    func invalidTextIsRefusedWithItsOffset(_ text: String) {
        #expect(throws: JSONValueParser.Failure.self) { try JSONValueParser.parse(Array(text.utf8)) }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONValueParser.Failure.self) { try JSONValueParser.parse(Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONValueParser.parse(Array(fine.utf8))) != nil)
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: JSONValueParser.Failure.self) { try JSONValueParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONValueParser.Failure.self) { try JSONValueParser.parse([0x22, 0x5C, 0x6E, 0xFF, 0x22]) }
    }

    /// Canonical JSON of a synthetic fleet's bundles, and random damage to it: same answers as
    /// JSONDecoder where it accepts, never a crash where it does not.
    @Test func bundlesAndTheirMutationsAgreeWithJSONDecoder() throws {
        let plan = Planner.plan(SyntheticFleet.make(spokes: 20, objects: 60, policies: 8))
        var rng = SplitMix64(seed: 7)
        var checked = 0
        for sp in plan.spokes {
            guard let payload = sp.payload else { continue }
            #expect(try JSONValueParser.parse(payload) == (try JSONDecoder().decode(Value.self, from: Data(payload))))
            for _ in 0..<40 {
                var damaged = payload
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    damaged[Int(rng.next() % UInt64(damaged.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
                let mine = try? JSONValueParser.parse(damaged)
                let theirs = try? JSONDecoder().decode(Value.self, from: Data(damaged))
                if let mine, let theirs { #expect(mine == theirs) }
                checked += 1
            }
        }
        #expect(checked > 100)
    }
}
