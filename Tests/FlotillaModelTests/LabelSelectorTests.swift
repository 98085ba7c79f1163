import FlotillaModel
import Testing

struct LabelSelectorTests {
    static let labels = ["app": "web", "tier": "front", "env": ""]

    /// Kubernetes' documented semantics (labels/#label-selectors), evaluated against `labels`.
    static let cases: [(String, LabelSelector, Bool)] = [
        ("empty selector matches everything", LabelSelector(), true),
        ("matchLabels equal", LabelSelector(matchLabels: ["app": "web"]), true),
        ("matchLabels different value", LabelSelector(matchLabels: ["app": "db"]), false),
        ("matchLabels missing key", LabelSelector(matchLabels: ["zone": "a"]), false),
        ("matchLabels empty value equals empty label", LabelSelector(matchLabels: ["env": ""]), true),
        ("all matchLabels must hold", LabelSelector(matchLabels: ["app": "web", "tier": "back"]), false),
        ("In with value", LabelSelector(matchExpressions: [.init(key: "tier", op: .in, values: ["front", "x"])]), true),
        ("In without value", LabelSelector(matchExpressions: [.init(key: "tier", op: .in, values: ["back"])]), false),
        ("In on absent key fails", LabelSelector(matchExpressions: [.init(key: "zone", op: .in, values: ["a"])]), false),
        ("NotIn on other value", LabelSelector(matchExpressions: [.init(key: "tier", op: .notIn, values: ["back"])]), true),
        ("NotIn on same value", LabelSelector(matchExpressions: [.init(key: "tier", op: .notIn, values: ["front"])]), false),
        ("NotIn on absent key holds", LabelSelector(matchExpressions: [.init(key: "zone", op: .notIn, values: ["a"])]), true),
        ("Exists present", LabelSelector(matchExpressions: [.init(key: "app", op: .exists)]), true),
        ("Exists with empty value", LabelSelector(matchExpressions: [.init(key: "env", op: .exists)]), true),
        ("Exists absent", LabelSelector(matchExpressions: [.init(key: "zone", op: .exists)]), false),
        ("DoesNotExist absent", LabelSelector(matchExpressions: [.init(key: "zone", op: .doesNotExist)]), true),
        ("DoesNotExist present", LabelSelector(matchExpressions: [.init(key: "app", op: .doesNotExist)]), false),
        (
            "labels and expressions ANDed",
            LabelSelector(matchLabels: ["app": "web"], matchExpressions: [.init(key: "tier", op: .notIn, values: ["front"])]),
            false
        ),
    ]

    @Test(arguments: cases)
    func matches(_ name: String, _ selector: LabelSelector, _ expected: Bool) {
        #expect(selector.matches(Self.labels) == expected, "\(name)")
        #expect((selector.firstUnmet(Self.labels) == nil) == expected, "\(name): firstUnmet agrees with matches")
    }

    @Test func emptySelectorMatchesNoLabels() {
        #expect(LabelSelector().matches([:]))
        #expect(!LabelSelector(matchLabels: ["a": "b"]).matches([:]))
    }

    static let parseErrors: [(String, Value, String, String)] = [
        ("not a map", "app=web", "sel", "must be a map"),
        ("unknown operator", ["matchExpressions": [["key": "a", "operator": "Inn", "values": ["x"]]]], "sel.matchExpressions[0].operator", "unknown operator \"Inn\""),
        ("In without values", ["matchExpressions": [["key": "a", "operator": "In"]]], "sel.matchExpressions[0].values", "needs at least one value"),
        ("Exists with values", ["matchExpressions": [["key": "a", "operator": "Exists", "values": ["x"]]]], "sel.matchExpressions[0].values", "takes no values"),
        ("missing key", ["matchExpressions": [["operator": "Exists"]]], "sel.matchExpressions[0].key", "required"),
        ("unknown field", ["matchLabel": ["a": "b"]], "sel.matchLabel", "unknown field"),
        ("matchLabels not a map", ["matchLabels": ["a"]], "sel.matchLabels", "must be a map"),
        ("non-string label value", ["matchLabels": ["a": 1]], "sel.matchLabels.a", "must be a string"),
        ("bad label key", ["matchLabels": ["-bad": "x"]], "sel.matchLabels.-bad", "not a valid label key"),
        ("bad label value", ["matchLabels": ["a": "has space"]], "sel.matchLabels.a", "not a valid label value"),
        ("matchExpressions not a list", ["matchExpressions": ["key": "a"]], "sel.matchExpressions", "must be a list"),
    ]

    @Test(arguments: parseErrors)
    func parseError(_ name: String, _ tree: Value, _ field: String, _ message: String) {
        var errors: [SourceError] = []
        let loc = SourceLocation(file: "p.yaml", line: 7)
        let sel = LabelSelector.parse(tree, field: "sel", object: "BindingPolicy/p", at: loc, errors: &errors)
        #expect(sel == nil, "\(name)")
        #expect(errors.contains { $0.field == field && $0.message.contains(message) && $0.location == loc }, "\(name): \(errors)")
        #expect(errors.allSatisfy { $0.object == "BindingPolicy/p" })
    }

    @Test func parsesAValidSelector() throws {
        var errors: [SourceError] = []
        let tree: Value = [
            "matchLabels": ["example.com/app": "web"],
            "matchExpressions": [["key": "tier", "operator": "NotIn", "values": ["a", "b"]]],
        ]
        let sel = try #require(LabelSelector.parse(tree, field: "s", object: "o", at: SourceLocation(file: "f", line: 1), errors: &errors))
        #expect(errors.isEmpty)
        #expect(sel.matchLabels == ["example.com/app": "web"])
        #expect(sel.matchExpressions == [.init(key: "tier", op: .notIn, values: ["a", "b"])])
    }
}
