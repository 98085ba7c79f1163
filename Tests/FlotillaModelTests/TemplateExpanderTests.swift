import FlotillaModel
import Testing

struct TemplateExpanderTests {
    /// A spoke where `shared` is defined by every source, so precedence decides its value.
    static let spoke = Spoke(
        name: "store-1",
        labels: ["shared": "from-label", "onlyLabel": "L", "app.kubernetes.io/name": "dotted", "type": "keyword"],
        annotations: ["shared": "from-annotation", "onlyAnnotation": "A", "clusterName": "annotated-name"],
        properties: ["shared": "from-configmap", "onlyProperty": "P", "bad-key": "x"])

    static let precedence: [(String, String)] = [
        ("{{.shared}}", "from-configmap"),
        ("{{.onlyAnnotation}}", "A"),
        ("{{.onlyLabel}}", "L"),
        ("{{.onlyProperty}}", "P"),
        ("{{.clusterName}}", "annotated-name"),
        ("{{ .onlyLabel }}-{{.onlyProperty}}", "L-P"),
        ("plain", "plain"),
        ("a }} b", "a }} b"),
        ("{{\t.onlyLabel\n}}", "L"),
        // The rest of Go's template language (KubeStellar runs text/template): the Go* test
        // suites cover it case by case; these show it reaches spoke properties.
        ("{{- .onlyLabel -}}", "L"),
        ("x {{- /* comment */ -}} y", "xy"),
        ("{{ .onlyLabel | printf \"%s-1\" }}", "L-1"),
        ("{{if eq .onlyLabel \"L\"}}yes{{else}}no{{end}}", "yes"),
        ("{{with .onlyProperty}}<{{.}}>{{end}}", "<P>"),
        ("{{range $k, $v := .}}{{if eq $k \"onlyLabel\" \"onlyProperty\"}}{{$k}}={{$v}};{{end}}{{end}}", "onlyLabel=L;onlyProperty=P;"),
        ("{{index . \"onlyAnnotation\" | html}} {{len .onlyLabel}} {{slice .clusterName 0 9}}", "A 1 annotated"),
        ("{{ $n := .onlyLabel }}{{ $n }}{{ $n = \"M\" }}{{ $n }}", "LM"),
        ("{{ `raw {{.}}` }}", "raw {{.}}"),
    ]

    @Test(arguments: precedence)
    func expandsWithPrecedence(_ template: String, _ expected: String) throws {
        let props = TemplateExpander.properties(of: Self.spoke)
        let out = try TemplateExpander.expand(["v": .string(template)], properties: props)
        #expect(out["v"] == .string(expected))
    }

    @Test func predefinedClusterNameIsTheSpokeName() throws {
        let props = TemplateExpander.properties(of: Spoke(name: "plain-spoke"))
        #expect(props == ["clusterName": "plain-spoke"])
    }

    @Test func onlyGoIdentifiersThatAreNotKeywordsCount() {
        let props = TemplateExpander.properties(of: Self.spoke)
        #expect(props["app.kubernetes.io/name"] == nil)
        #expect(props["bad-key"] == nil)
        #expect(props["type"] == nil)
        #expect(TemplateExpander.isIdentifier("_x9"))
        #expect(TemplateExpander.isIdentifier("größe"))
        #expect(!TemplateExpander.isIdentifier("9x"))
        #expect(!TemplateExpander.isIdentifier("range"))
        #expect(!TemplateExpander.isIdentifier(""))
    }

    static let failures: [(String, String, String?)] = [
        ("{{.missing}}", "property \"missing\" is not defined", "missing"),
        ("{{.type}}", "Go keywords are never properties", "type"),
        // Go's own message follows, naming the field as the template.
        ("{{.missing}}", #"template: spec.containers[0].image:1:2: executing "spec.containers[0].image" at <.missing>: map has no entry for key "missing""#, "missing"),
        ("{{if .x}}y{{end}}", #"map has no entry for key "x""#, "x"),
        ("{{ $.onlyLabel }}-{{ $.x }}", #"at <$.x>: map has no entry for key "x""#, "x"),
        ("{{ .onlyLabel.b }}", "can't evaluate field b in type string", nil),
        ("{{ .onlyLabel 1 }}", "onlyLabel is not a method but has arguments", nil),
        ("{{ call .onlyLabel }}", "non-function of type string", nil),
        ("{{ eq .onlyLabel 1 }}", "incompatible types for comparison", nil),
        ("{{.onlyLabel", "template: spec.containers[0].image:1: unclosed action", nil),
        ("{{ .onlyLabel | nope }}", #"function "nope" not defined"#, nil),
        ("{{ template \"x\" }}", "{{template}} is not supported", nil),
    ]

    @Test(arguments: failures)
    func failuresNameFieldAndProperty(_ template: String, _ message: String, _ property: String?) {
        let props = TemplateExpander.properties(of: Self.spoke)
        do {
            _ = try TemplateExpander.expand(["spec": ["containers": [["image": .string(template)]]]], properties: props)
            Issue.record("expected a failure for \(template)")
        } catch {
            let f = error.failures
            #expect(f.count == 1)
            #expect(f.first?.field == "spec.containers[0].image")
            #expect(f.first?.message.contains(message) == true, "\(f)")
            #expect(f.first?.property == property)
        }
    }

    @Test func collectsEveryFailure() {
        do {
            _ = try TemplateExpander.expand(["a": "{{.x}}", "b": ["{{.y}}", "{{.z}}"]], properties: [:])
            Issue.record("expected failures")
        } catch {
            #expect(error.failures.map(\.field) == ["a", "b[0]", "b[1]"])
            #expect(error.failures.map(\.property) == ["x", "y", "z"])
        }
    }

    @Test func mapKeysAndNonStringsAreNotExpanded() throws {
        let out = try TemplateExpander.expand(["{{.k}}": 3, "n": true], properties: [:])
        #expect(out == ["{{.k}}": 3, "n": true])
    }

    @Test func simpleTemplatesSplitIntoSegments() throws {
        #expect(try TemplateExpander.parse("{{- .a }} b {{/* c */}}{{ .d -}}", field: "f") == [.property("a"), .text(" b "), .property("d")])
        #expect(try TemplateExpander.parse("plain", field: "f") == nil)
        #expect(throws: TemplateExpander.Failure.self) { try TemplateExpander.parse("{{if .a}}x{{end}}", field: "f") }
        #expect(try TemplateExpander.compile("{{if .a}}x{{end}}", field: "f")?.segments == nil)
    }

    @Test func aParsedTemplateNamesEachFieldItIsUsedIn() throws {
        for field in ["a.b", "c[0]"] {
            do {
                _ = try TemplateExpander.compile("{{.x", field: field)
                Issue.record("expected a parse error")
            } catch {
                #expect(error.field == field)
                #expect(error.message == "template: \(field):1: unclosed action")
            }
        }
    }

    @Test func expandsConcurrently() async throws {
        let props = TemplateExpander.properties(of: Self.spoke)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<8 {
                group.addTask {
                    for j in 0..<200 {
                        let tree: [String: Value] = ["v": .string("{{ .onlyLabel }}-\(i)-{{ printf \"%03d\" \(j) }}")]
                        let out = try TemplateExpander.expand(tree, properties: props)
                        #expect(out["v"] == .string("L-\(i)-" + String(repeating: "0", count: 3 - String(j).count) + "\(j)"))
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
