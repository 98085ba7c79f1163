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
        ("{{ .a.b }}", "unsupported template", nil),
        ("{{if .x}}y{{end}}", "unsupported template", nil),
        ("{{- .onlyLabel -}}", "unsupported template", nil),
        ("{{.onlyLabel", "unclosed", nil),
        ("{{.}}", "unsupported template", nil),
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
}
