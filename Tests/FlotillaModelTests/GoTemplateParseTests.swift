import Testing

@testable import FlotillaModel

/// Go's own parser tests, ported from `src/text/template/parse/parse_test.go`: table `parseTests`
/// (TestParse: the tree printed back as Go's `String()` does, text as `%q`), table `errorTests`
/// (TestErrors: the message, with the template named as in Go's test) and table `numberTests`
/// (TestNumberParse). `{{template}}` and `{{block}}` cases expect Flotilla's "not supported"
/// error instead (each field is a template of its own); `.X`, `.SI` and the like only need to
/// parse, as in Go.
struct GoTemplateParseTests {
    struct ParseCase: Sendable, CustomTestStringConvertible {
        var name: String
        var input: String
        /// Go's `String()` of the tree; `nil` when parsing must fail.
        var tree: String?
        var testDescription: String { name }
        init(_ name: String, _ input: String, _ tree: String?) { (self.name, self.input, self.tree) = (name, input, tree) }
    }

    static let unsupported = "<unsupported>"

    /// parse_test.go `parseTests`.
    static let parseTests: [ParseCase] = [
        ParseCase("empty", "", ""),
        ParseCase("comment", "{{/*\n\n\n*/}}", ""),
        ParseCase("spaces", " \t\n", #"" \t\n""#),
        ParseCase("text", "some text", #""some text""#),
        ParseCase("emptyAction", "{{}}", nil),
        ParseCase("field", "{{.X}}", "{{.X}}"),
        ParseCase("simple command", "{{printf}}", "{{printf}}"),
        ParseCase("$ invocation", "{{$}}", "{{$}}"),
        ParseCase("variable invocation", "{{with $x := 3}}{{$x 23}}{{end}}", "{{with $x := 3}}{{$x 23}}{{end}}"),
        ParseCase("variable with fields", "{{$.I}}", "{{$.I}}"),
        ParseCase("multi-word command", "{{printf `%d` 23}}", "{{printf `%d` 23}}"),
        ParseCase("pipeline", "{{.X|.Y}}", "{{.X | .Y}}"),
        ParseCase("pipeline with decl", "{{$x := .X|.Y}}", "{{$x := .X | .Y}}"),
        ParseCase("nested pipeline", "{{.X (.Y .Z) (.A | .B .C) (.E)}}", "{{.X (.Y .Z) (.A | .B .C) (.E)}}"),
        ParseCase("field applied to parentheses", "{{(.Y .Z).Field}}", "{{(.Y .Z).Field}}"),
        ParseCase("simple if", "{{if .X}}hello{{end}}", #"{{if .X}}"hello"{{end}}"#),
        ParseCase("if with else", "{{if .X}}true{{else}}false{{end}}", #"{{if .X}}"true"{{else}}"false"{{end}}"#),
        ParseCase("if with else if", "{{if .X}}true{{else if .Y}}false{{end}}", #"{{if .X}}"true"{{else}}{{if .Y}}"false"{{end}}{{end}}"#),
        ParseCase(
            "if else chain", "+{{if .X}}X{{else if .Y}}Y{{else if .Z}}Z{{end}}+",
            #""+"{{if .X}}"X"{{else}}{{if .Y}}"Y"{{else}}{{if .Z}}"Z"{{end}}{{end}}{{end}}"+""#),
        ParseCase("simple range", "{{range .X}}hello{{end}}", #"{{range .X}}"hello"{{end}}"#),
        ParseCase("chained field range", "{{range .X.Y.Z}}hello{{end}}", #"{{range .X.Y.Z}}"hello"{{end}}"#),
        ParseCase("nested range", "{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}", #"{{range .X}}"hello"{{range .Y}}"goodbye"{{end}}{{end}}"#),
        ParseCase("range with else", "{{range .X}}true{{else}}false{{end}}", #"{{range .X}}"true"{{else}}"false"{{end}}"#),
        ParseCase("range over pipeline", "{{range .X|.M}}true{{else}}false{{end}}", #"{{range .X | .M}}"true"{{else}}"false"{{end}}"#),
        ParseCase("range []int", "{{range .SI}}{{.}}{{end}}", "{{range .SI}}{{.}}{{end}}"),
        ParseCase("range 1 var", "{{range $x := .SI}}{{.}}{{end}}", "{{range $x := .SI}}{{.}}{{end}}"),
        ParseCase("range 2 vars", "{{range $x, $y := .SI}}{{.}}{{end}}", "{{range $x, $y := .SI}}{{.}}{{end}}"),
        ParseCase("range with break", "{{range .SI}}{{.}}{{break}}{{end}}", "{{range .SI}}{{.}}{{break}}{{end}}"),
        ParseCase("range with continue", "{{range .SI}}{{.}}{{continue}}{{end}}", "{{range .SI}}{{.}}{{continue}}{{end}}"),
        ParseCase("constants", "{{range .SI 1 -3.2i true false 'a' nil}}{{end}}", "{{range .SI 1 -3.2i true false 'a' nil}}{{end}}"),
        ParseCase("template", "{{template `x`}}", unsupported),
        ParseCase("template with arg", "{{template `x` .Y}}", unsupported),
        ParseCase("with", "{{with .X}}hello{{end}}", #"{{with .X}}"hello"{{end}}"#),
        ParseCase("with with else", "{{with .X}}hello{{else}}goodbye{{end}}", #"{{with .X}}"hello"{{else}}"goodbye"{{end}}"#),
        ParseCase("with with else with", "{{with .X}}hello{{else with .Y}}goodbye{{end}}", #"{{with .X}}"hello"{{else}}{{with .Y}}"goodbye"{{end}}{{end}}"#),
        ParseCase("trim left", "x \r\n\t{{- 3}}", #""x"{{3}}"#),
        ParseCase("trim right", "{{3 -}}\n\n\ty", #"{{3}}"y""#),
        ParseCase("trim left and right", "x \r\n\t{{- 3 -}}\n\n\ty", #""x"{{3}}"y""#),
        ParseCase("trim with extra spaces", "x\n{{-  3   -}}\ny", #""x"{{3}}"y""#),
        ParseCase("comment trim left", "x \r\n\t{{- /* hi */}}", #""x""#),
        ParseCase("comment trim right", "{{/* hi */ -}}\n\n\ty", #""y""#),
        ParseCase("comment trim left and right", "x \r\n\t{{- /* */ -}}\n\n\ty", #""x""y""#),
        ParseCase("block definition", #"{{block "foo" .}}hello{{end}}"#, unsupported),
        ParseCase("newline in assignment", "{{ $x \n := \n 1 \n }}", "{{$x := 1}}"),
        ParseCase("newline in empty action", "{{\n}}", nil),
        ParseCase("newline in pipeline", "{{\n\"x\"\n|\nprintf\n}}", #"{{"x" | printf}}"#),
        ParseCase("newline in comment", "{{/*\nhello\n*/}}", ""),
        ParseCase("newline in comment trimmed", "{{-\n/*\nhello\n*/\n-}}", ""),
        ParseCase("spaces around continue", "{{range .SI}}{{.}}{{ continue }}{{end}}", "{{range .SI}}{{.}}{{continue}}{{end}}"),
        ParseCase("spaces around break", "{{range .SI}}{{.}}{{ break }}{{end}}", "{{range .SI}}{{.}}{{break}}{{end}}"),
        // Errors.
        ParseCase("unclosed action", "hello{{range", nil),
        ParseCase("unmatched end", "{{end}}", nil),
        ParseCase("unmatched else", "{{else}}", nil),
        ParseCase("unmatched else after if", "{{if .X}}hello{{end}}{{else}}", nil),
        ParseCase("multiple else", "{{if .X}}1{{else}}2{{else}}3{{end}}", nil),
        ParseCase("missing end", "hello{{range .x}}", nil),
        ParseCase("missing end after else", "hello{{range .x}}{{else}}", nil),
        ParseCase("undefined function", "hello{{undefined}}", nil),
        ParseCase("undefined variable", "{{$x}}", nil),
        ParseCase("variable undefined after end", "{{with $x := 4}}{{end}}{{$x}}", nil),
        ParseCase("variable undefined in template", "{{template $v}}", nil),
        ParseCase("declare with field", "{{with $x.Y := 4}}{{end}}", nil),
        ParseCase("template with field ref", "{{template .X}}", nil),
        ParseCase("template with var", "{{template $v}}", nil),
        ParseCase("invalid punctuation", "{{printf 3, 4}}", nil),
        ParseCase("multidecl outside range", "{{with $v, $u := 3}}{{end}}", nil),
        ParseCase("too many decls in range", "{{range $u, $v, $w := 3}}{{end}}", nil),
        ParseCase("dot applied to parentheses", "{{printf (printf .).}}", nil),
        ParseCase("adjacent args", "{{printf 3`x`}}", nil),
        ParseCase("adjacent args with .", "{{printf `x`.}}", nil),
        ParseCase("extra end after if", "{{if .X}}a{{else if .Y}}b{{end}}{{end}}", nil),
        ParseCase("break outside range", "{{range .}}{{end}} {{break}}", nil),
        ParseCase("continue outside range", "{{range .}}{{end}} {{continue}}", nil),
        ParseCase("break in range else", "{{range .}}{{else}}{{break}}{{end}}", nil),
        ParseCase("continue in range else", "{{range .}}{{else}}{{continue}}{{end}}", nil),
        ParseCase("bug0a", "{{$x := 0}}{{$x}}", "{{$x := 0}}{{$x}}"),
        ParseCase("bug0b", "{{$x += 1}}{{$x}}", nil),
        ParseCase("bug0c", "{{$x ! 2}}{{$x}}", nil),
        ParseCase("bug0d", "{{$x % 3}}{{$x}}", nil),
        ParseCase("bug0e", "{{range $x := $y := 3}}{{end}}", nil),
        ParseCase("bug1a", "{{$x:=.}}{{$x!2}}", nil),
        ParseCase("bug1b", "{{$x:=.}}{{$x+2}}", nil),
        ParseCase("bug1c", "{{$x:=.}}{{$x +2}}", "{{$x := .}}{{$x +2}}"),
        ParseCase("dot after integer", "{{1.E}}", nil),
        ParseCase("dot after float", "{{0.1.E}}", nil),
        ParseCase("dot after boolean", "{{true.E}}", nil),
        ParseCase("dot after char", "{{'a'.any}}", nil),
        ParseCase("dot after string", #"{{"hello".guys}}"#, nil),
        ParseCase("dot after dot", "{{..E}}", nil),
        ParseCase("dot after nil", "{{nil.E}}", nil),
        ParseCase("wrong pipeline dot", "{{12|.}}", nil),
        ParseCase("wrong pipeline number", "{{.|12|printf}}", nil),
        ParseCase("wrong pipeline string", "{{.|printf|\"error\"}}", nil),
        ParseCase("wrong pipeline char", "{{12|printf|'e'}}", nil),
        ParseCase("wrong pipeline boolean", "{{.|true}}", nil),
        ParseCase("wrong pipeline nil", "{{'c'|nil}}", nil),
        ParseCase("empty pipeline", #"{{printf "%d" ( ) }}"#, nil),
        ParseCase("block definition without pipeline", #"{{block "foo"}}hello{{end}}"#, nil),
    ]

    @Test(arguments: parseTests) func parseTable(_ c: ParseCase) {
        let result = Result { () throws(GoTemplateError) in try GoTemplateParser.parse(Array(c.input.utf8)) }
        switch (c.tree, result) {
        case (Self.unsupported?, .failure(let e)):
            #expect(e.detail.contains("is not supported"), "\(e.detail)")
        case (let tree?, .success(let root)):
            #expect(GoTemplateNode.goString(root, quoteText: true) == tree)
        case (nil, .failure):
            break
        case (let tree, .success(let root)):
            Issue.record("\(c.name): want \(tree ?? "an error"), got \(GoTemplateNode.goString(root, quoteText: true))")
        case (let tree?, .failure(let e)):
            Issue.record("\(c.name): want \(tree), got \(e.message(name: c.name, source: Array(c.input.utf8)))")
        }
    }

    /// parse_test.go `errorTests`: (template name, input, part of Go's message).
    static let errorTests: [(String, String, String)] = [
        ("unclosed1", "line1\n{{", "unclosed1:2: unclosed action"),
        ("unclosed2", "line1\n{{define `x`}}line2\n{{", "{{define}} is not supported"),
        ("unclosed3", "line1\n{{\"x\"\n\"y\"\n", "unclosed3:4: unclosed action started at unclosed3:2"),
        ("unclosed4", "{{\n\n\n\n\n", "unclosed4:6: unclosed action started at unclosed4:1"),
        ("var1", "line1\n{{\nx\n}}", #"var1:3: function "x" not defined"#),
        ("function", "{{foo}}", #"function "foo" not defined"#),
        ("comment1", "{{/*}}", "comment1:1: unclosed comment"),
        ("comment2", "{{/*\nhello\n}}", "comment2:1: unclosed comment"),
        ("lparen", "{{.X (1 2 3}}", "unclosed left paren"),
        ("rparen", "{{.X 1 2 3 ) }}", #"unexpected ")" in command"#),
        ("rparen2", "{{(.X 1 2 3", "unclosed action"),
        ("space", "{{`x`3}}", "in operand"),
        ("idchar", "{{a#}}", "'#'"),
        ("charconst", "{{'a}}", "unterminated character constant"),
        ("stringconst", #"{{"a}}"#, "unterminated quoted string"),
        ("rawstringconst", "{{`a}}", "unterminated raw quoted string"),
        ("number", "{{0xi}}", "number syntax"),
        ("multidefine", "{{define `a`}}a{{end}}{{define `a`}}b{{end}}", "{{define}} is not supported"),
        ("eof", "{{range .X}}", "unexpected EOF"),
        ("variable", "{{$x := 23}}{{with $x.y := 3}}{{$x 23}}{{end}}", #"unexpected ":=""#),
        ("multidecl", "{{$a,$b,$c := 23}}", "too many declarations"),
        ("undefvar", "{{$a}}", "undefined variable"),
        ("wrongdot", "{{true.any}}", "unexpected . after term"),
        ("wrongpipeline", "{{12|false}}", "non executable command in pipeline"),
        ("emptypipeline", "{{ ( ) }}", "missing value for parenthesized pipeline"),
        ("multilinerawstring", "{{ $v := `\n` }} {{", "multilinerawstring:2: unclosed action"),
        ("rangeundefvar", "{{range $k}}{{end}}", "undefined variable"),
        ("rangeundefvars", "{{range $k, $v}}{{end}}", "undefined variable"),
        ("rangemissingvalue1", "{{range $k,}}{{end}}", "missing value for range"),
        ("rangemissingvalue2", "{{range $k, $v := }}{{end}}", "missing value for range"),
        ("rangenotvariable1", "{{range $k, .}}{{end}}", "range can only initialize variables"),
        ("rangenotvariable2", "{{range $k, 123 := .}}{{end}}", "range can only initialize variables"),
        // exec_test.go TestUnterminatedStringError: the line is that of the opening quote.
        ("X", "hello\n\n{{`unterminated\n\n\n\n}}\n some more\n\n", "X:3: unterminated raw quoted string"),
    ]

    @Test func errorTable() throws {
        for (name, input, want) in Self.errorTests {
            let source = Array(input.utf8)
            do {
                _ = try GoTemplateParser.parse(source)
                Issue.record("\(name): expected an error")
            } catch {
                let message = error.message(name: name, source: source)
                #expect(message.contains(want), "\(name): \(message)")
                #expect(message.hasPrefix("template: \(name):"), "\(message)")
            }
        }
    }

    /// parse_test.go `numberTests`: the text, and its value as an int, uint, float or complex
    /// (`nil` where it is not one); all `nil` when the text must not parse.
    struct NumberCase: Sendable, CustomTestStringConvertible {
        var text: String
        var int: Int64?, uint: UInt64?, float: Double?, complex: (Double, Double)?
        var testDescription: String { text }
        init(_ text: String, _ int: Int64? = nil, _ uint: UInt64? = nil, _ float: Double? = nil, _ complex: (Double, Double)? = nil) {
            (self.text, self.int, self.uint, self.float, self.complex) = (text, int, uint, float, complex)
        }
    }

    static let numberTests: [NumberCase] = [
        NumberCase("0", 0, 0, 0), NumberCase("-0", 0, 0, 0), NumberCase("73", 73, 73, 73), NumberCase("7_3", 73, 73, 73),
        NumberCase("0b10_010_01", 73, 73, 73), NumberCase("0B10_010_01", 73, 73, 73), NumberCase("073", 0o73, 0o73, 0o73),
        NumberCase("0o73", 0o73, 0o73, 0o73), NumberCase("0O73", 0o73, 0o73, 0o73), NumberCase("0x73", 0x73, 0x73, 0x73),
        NumberCase("0X73", 0x73, 0x73, 0x73), NumberCase("0x7_3", 0x73, 0x73, 0x73), NumberCase("-73", -73, nil, -73),
        NumberCase("+73", 73, nil, 73), NumberCase("100", 100, 100, 100), NumberCase("1e9", 1_000_000_000, 1_000_000_000, 1e9),
        NumberCase("-1e9", -1_000_000_000, nil, -1e9), NumberCase("-1.2", nil, nil, -1.2),
        NumberCase("1e19", nil, 10_000_000_000_000_000_000, 1e19), NumberCase("1e1_9", nil, 10_000_000_000_000_000_000, 1e19),
        NumberCase("1E19", nil, 10_000_000_000_000_000_000, 1e19), NumberCase("-1e19", nil, nil, -1e19),
        NumberCase("0x_1p4", 16, 16, 16), NumberCase("0X_1P4", 16, 16, 16), NumberCase("0x_1p-4", nil, nil, 1.0 / 16),
        NumberCase("4i", nil, nil, nil, (0, 4)), NumberCase("-1.2+4.2i", nil, nil, nil, (-1.2, 4.2)),
        NumberCase("073i", nil, nil, nil, (0, 73)),  // not octal!
        // Complex with 0 imaginary are float (and maybe integer).
        NumberCase("0i", 0, 0, 0, (0, 0)), NumberCase("-1.2+0i", nil, nil, -1.2, (-1.2, 0)),
        NumberCase("-12+0i", -12, nil, -12, (-12, 0)), NumberCase("13+0i", 13, 13, 13, (13, 0)),
        // Funny bases.
        NumberCase("0123", 0o123, 0o123, 0o123), NumberCase("-0x0", 0, 0, 0),
        NumberCase("0xdeadbeef", 0xdeadbeef, 0xdeadbeef, 0xdeadbeef),
        // Character constants.
        NumberCase("'a'", 97, 97, 97), NumberCase(#"'\n'"#, 10, 10, 10), NumberCase(#"'\\'"#, 92, 92, 92),
        NumberCase(#"'\''"#, 39, 39, 39), NumberCase(#"'\xFF'"#, 0xFF, 0xFF, 0xFF), NumberCase("'パ'", 0x30d1, 0x30d1, 0x30d1),
        NumberCase(#"'\u30d1'"#, 0x30d1, 0x30d1, 0x30d1), NumberCase(#"'\U000030d1'"#, 0x30d1, 0x30d1, 0x30d1),
        // Some broken syntax.
        NumberCase("+-2"), NumberCase("0x123."), NumberCase("1e."), NumberCase("0xi."), NumberCase("1+2."), NumberCase("'x"),
        NumberCase("'xx'"), NumberCase("'433937734937734969526500969526500'"),
        // Issue 8622: 0xe parsed as floating point.
        NumberCase("0xef", 0xef, 0xef, 0xef),
    ]

    @Test(arguments: numberTests) func numberTable(_ c: NumberCase) {
        // Lex the text as an action would, so that it is read as Go's parser reads it.
        let tokens = GoTemplateLexer.tokens(of: Array("{{\(c.text)}}".utf8))
        let ok = c.int != nil || c.uint != nil || c.float != nil || c.complex != nil
        let token = tokens.count == 4 && tokens[2].kind == .rightDelim ? tokens[1] : nil
        let number = token.flatMap { t in try? GoTemplateNumber(text: t.value, kind: t.kind) }
        guard let number else {
            #expect(!ok, "\(c.text) should parse")
            return
        }
        #expect(ok, "\(c.text) should not parse")
        #expect(number.int == c.int, "\(c.text) int")
        #expect(number.uint == c.uint, "\(c.text) uint")
        #expect(number.float == c.float, "\(c.text) float")
        #expect(number.complex?.re == c.complex?.0 && number.complex?.im == c.complex?.1, "\(c.text) complex")
    }
}
