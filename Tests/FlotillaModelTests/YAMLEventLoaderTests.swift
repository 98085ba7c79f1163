import FlotillaModel
@testable import FlotillaSource
import Foundation
import Testing

/// The loader on libyaml's events: trees, lines and errors.
struct YAMLEventLoaderTests {
    static func lines(_ yaml: String) throws -> [DocumentLines] {
        var text = yaml
        return try text.withUTF8 { utf8 in
            var builder = DocumentBuilder(bytes: UnsafeRawBufferPointer(utf8))
            var out: [DocumentLines] = []
            while let document = try builder.next() {
                if case .value(_, let lines) = document { out.append(lines) }
            }
            return out
        }
    }

    @Test func documentsAndListItemsKeepTheirLines() throws {
        let yaml = """
            # a comment

            apiVersion: v1
            kind: List
            items:
            - kind: ConfigMap
            - kind: List
              items:

              - {kind: Secret}
              - just text
            - [not, a, map]
            metadata:
              items: [1, 2]
            ---
            a: 1
            """
        let lines = try Self.lines(yaml)
        #expect(
            lines == [
                DocumentLines(
                    line: 3,
                    items: [
                        DocumentLines(line: 6), DocumentLines(line: 7, items: [DocumentLines(line: 10), DocumentLines(line: 11)]),
                        DocumentLines(line: 12),
                    ]),
                DocumentLines(line: 16),
            ])
    }

    /// (case, YAML, line, message fragment)
    static let invalid: [(String, String, Int, String)] = [
        ("duplicate key", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n", 5, #"duplicate key "name""#),
        ("duplicate key in a flow map", "a: {x: 1, \"x\": 2}\n", 1, #"duplicate key "x""#),
        ("a list as key", "? [a, b]\n: c\n", 1, "map keys must be strings"),
        ("a map as key in a flow map", "a: 1\nb: {{c: d}: e}\n", 2, "map keys must be strings"),
        ("an alias", "a: &x 1\nb:\n  c: *x\n", 3, "YAML aliases are not supported"),
        ("an alias as key", "a: &x 1\n*x : 2\n", 2, "YAML aliases are not supported"),
    ]

    @Test(arguments: invalid)
    func invalidDocumentsNameTheLine(_ name: String, _ yaml: String, _ line: Int, _ message: String) throws {
        var objects: [ManifestObject] = []
        var errors: [SourceError] = []
        let next = "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: after, namespace: n}\n"
        SourceLoader.parse(text: yaml + next, file: "f.yaml", into: &objects, errors: &errors)
        #expect(errors.count == 1, "\(name): \(errors)")
        #expect(errors.first?.location == SourceLocation(file: "f.yaml", line: line), "\(name): \(errors)")
        #expect(errors.first?.message.contains(message) == true, "\(name): \(errors)")
        #expect(objects.map(\.ref.name) == ["after"], "\(name): the next document still loads")
    }

    @Test func aDocumentThatIsNotAMapIsAnError() {
        let (objects, errors) = Fixture.parse("---\n- a\n---\n12\n---\n~\n---\n", file: "f.yaml")
        #expect(objects.isEmpty)
        #expect(errors.map(\.location.line) == [2, 4])
        #expect(errors.map(\.message) == [
            "a document must be a Kubernetes object (a map), found a list",
            "a document must be a Kubernetes object (a map), found a number",
        ])
    }

    @Test func emptyStreamsHoldNothing() {
        for yaml in ["", "# only a comment\n", "---\n", "---\n...\n---\n", "\u{FEFF}"] {
            let (objects, errors) = Fixture.parse(yaml)
            #expect(objects.isEmpty && errors.isEmpty, "\(yaml.debugDescription): \(errors)")
        }
    }

    @Test func aSyntaxErrorGivesLibyamlsTextAndLineAndEndsTheFile() {
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: [unclosed\n---\nb: 1\n"
        let (objects, errors) = Fixture.parse(yaml, file: "broken.yaml")
        #expect(objects.map(\.ref.name) == ["a"], "documents before the error load")
        #expect(errors.count == 1, "\(errors)")
        let error = errors.first
        #expect(error?.location.file == "broken.yaml")
        #expect(error?.location.line == 7, "\(String(describing: error))")
        #expect(error?.message.hasPrefix("YAML error: did not find expected ',' or ']' at line 7, column 1") == true, "\(String(describing: error))")
        #expect(error?.message.contains("while parsing a flow sequence at line 6, column 7") == true, "\(String(describing: error))")
    }

    @Test func aScannerErrorNamesItsLine() {
        let errors = Fixture.parse("a: 1\nb: \"unterminated\n", file: "s.yaml").errors
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("found unexpected end of stream") == true, "\(errors)")
        #expect(errors.first?.location.line == 3, "\(errors)")
    }

    @Test func invalidUTF8IsAReaderErrorWithItsLine() throws {
        let bytes: [UInt8] = Array("apiVersion: v1\nkind: ".utf8) + [0xFF, 0x0A]
        var objects: [ManifestObject] = []
        var errors: [SourceError] = []
        bytes.withUnsafeBytes { SourceLoader.parse(bytes: $0, file: "u.yaml", into: &objects, errors: &errors) }
        #expect(errors.count == 1)
        #expect(errors.first?.location.line == 2, "\(errors)")
        #expect(errors.first?.message.contains("invalid leading UTF-8 octet (byte 0xFF)") == true, "\(errors)")
    }

    @Test func utf16WithAByteOrderMarkIsRead() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: café, namespace: n}\n"
        let bytes: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        var objects: [ManifestObject] = []
        var errors: [SourceError] = []
        bytes.withUnsafeBytes { SourceLoader.parse(bytes: $0, file: "w.yaml", into: &objects, errors: &errors) }
        #expect(errors.isEmpty, "\(errors)")
        #expect(objects.first?.ref.name == "café")
    }

    @Test func deepNestingNeedsNoRecursion() throws {
        let depth = 500
        let yaml = "a: " + String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth) + "\n"
        let loaded = try #require(YamsReference.loaded(yaml))
        var v = loaded[0].objectValue?["a"]
        var levels = 0
        while case .array(let a)? = v {
            levels += 1
            v = a.first
        }
        #expect(levels == depth && v == 1)
    }

    /// Whole documents as Flotilla's users write them: the same trees as the old Yams path.
    static let documents: [String] = [
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web   # trailing comment
          namespace: shop
          labels: {app: web, "app.kubernetes.io/name": nginx, tier: "3"}
          annotations:
            description: >
              folded text
              over lines
            script: |
              #!/bin/sh
              echo "hi"
        spec:
          replicas: 3
          paused: false
          progressDeadlineSeconds: 6_00
          template:
            spec:
              containers:
              - name: nginx
                image: nginx:1.25
                args: ["--port", 8080, -v, 0x1F, .5, ~, 'quoted', 2001-12-14]
                resources: {limits: {cpu: 0.5, memory: 128Mi}}
                env:
                - {name: A, value: "on"}
                - name: B
                  value: on
              - name: empty
        ---
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: c}
        data:
          multi: "line one
            line two"
          plain: a
            b
          "1": one
          ? complex key written long
          : value
          null: nothing
          empty:
        """,
        """
        {"apiVersion": "v1", "kind": "List", "items": [
          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"n": 1.5e3, "b": true, "z": null}}
        ]}
        """,
    ]

    @Test(arguments: documents)
    func documentsLoadLikeYams(_ yaml: String) throws {
        let reference = try #require(YamsReference.documents(yaml))
        let loaded = YamsReference.loaded(yaml)
        #expect(YamsReference.same(reference, loaded), "Yams \(reference)\nloaded \(String(describing: loaded))")
    }

    @Test func textAndBytesParseAlike() {
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: n}\ndata: {x: '1'}\n"
        let fromText = Fixture.parse(yaml)
        var objects: [ManifestObject] = []
        var errors: [SourceError] = []
        Array(yaml.utf8).withUnsafeBytes { SourceLoader.parse(bytes: $0, file: "test.yaml", into: &objects, errors: &errors) }
        #expect(objects == fromText.objects && errors.isEmpty && fromText.errors.isEmpty)
    }
}
