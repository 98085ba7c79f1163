import FlotillaModel
import Testing

/// Go's own `text/template` execution tests, ported as tables for Flotilla's implementation: Go's
/// suite is the reference. Where each group comes from, in Go's `src/text/template/`:
///
/// - `execTests`: `exec_test.go`, table `execTests` (TestExecute). Dot is a `map[string]string`
///   here, so struct fields become map keys (`.X`, `.I`, `.S`), methods and struct-only cases are
///   dropped or become the errors a string map gives (`{{.X.Y}}`, `{{.X 1234}}`, `{{call .X}}`),
///   slices become strings, and the test-only functions become builtins with the same effect
///   (`die` is `(index 3 0)`, which fails; `typeOf` is `printf "%T"`; `add` is `len`).
/// - `cmpTests`: `exec_test.go`, table `cmpTests` (TestComparison); `.Uthree`/`.Ufour` are the
///   `uint8`s `(index "\x03" 0)`/`(index "\x04" 0)`, `.NegOne` is `-1`, maps are the data map.
/// - `missingKeyTests`, `execErrorTests`, `finalForPrintfTests`: `exec_test.go` TestMissingMapKey
///   (with `missingkey=error`, as KubeStellar runs templates), TestExecError, TestFinalForPrintf.
/// - `languageTests`: the language as `doc.go` documents it, over a string map (trim markers,
///   comments, variables, sorted `range`, `break`/`continue`, escapers, errors of each kind).
///
/// Expected values are what Go's `text/template` wrote for each case, run as KubeStellar's
/// `pkg/customize` runs it (`template.New(name).Option("missingkey=error")`, executed over a
/// `map[string]string`): recorded with Go 1.19, then adjusted where Go changed since (KubeStellar
/// builds with Go 1.25), each marked: range over integers, `{{else with}}`, and the operand types
/// that "incompatible types for comparison" now names. An expected error is Go's message (a
/// missing property's message starts with Flotilla's own words, then Go's).
struct GoTemplateExecTests {
    @Test(arguments: Self.execTests) func execTable(_ c: GoTemplateCase) { c.check() }
    @Test(arguments: Self.cmpTests) func comparisonTable(_ c: GoTemplateCase) { c.check() }
    @Test(arguments: Self.missingKeyTests + Self.execErrorTests + Self.finalForPrintfTests)
    func missingKeyErrorAndPrintfTables(_ c: GoTemplateCase) { c.check() }
    @Test(arguments: Self.languageTests) func languageTable(_ c: GoTemplateCase) { c.check() }

    static let small = ["a": "1", "b": "2", "c": "3"]
}

/// One template, its data, and what Go writes or the error it reports.
struct GoTemplateCase: Sendable, CustomTestStringConvertible {
    enum Expected: Sendable {
        case output(String)
        case error(String)
    }

    /// The data most cases run over.
    static let data = [
        "X": "x", "S": "xyz", "I": "17", "E": "", "one": "1", "two": "2", "three": "3", "cause": "neglect",
        "region": "eu-west", "html": "<b>\"hi\" & 'bye'</b>", "js": "It'd be nice.", "url": "http://www.example.org/?q=a b&c",
    ]

    let name: String
    let template: String
    let data: [String: String]
    let expected: Expected

    init(_ name: String, _ template: String, data: [String: String] = Self.data, output: String) {
        (self.name, self.template, self.data, expected) = (name, template, data, .output(output))
    }

    init(_ name: String, _ template: String, data: [String: String] = Self.data, error: String) {
        (self.name, self.template, self.data, expected) = (name, template, data, .error(error))
    }

    var testDescription: String { name }

    /// Expands the template as the field `F` (the name Go's messages then show).
    func check() {
        let result: Result<String, TemplateExpander.Failure>
        do {
            let t = try TemplateExpander.compile(template, field: "F")
            result = .success(try t?.render(properties: data, field: "F") ?? template)
        } catch {
            result = .failure(error)
        }
        switch (expected, result) {
        case (.output(let want), .success(let got)):
            #expect(got == want, "\(name): \(template)")
        case (.error(let want), .failure(let failure)):
            #expect(failure.message.contains(want), "\(name): \(template)\n got: \(failure.message)\nwant: \(want)")
            #expect(failure.field == "F")
        case (.output(let want), .failure(let failure)):
            Issue.record("\(name): \(template): want \(want.debugDescription), got error \(failure.message)")
        case (.error(let want), .success(let got)):
            Issue.record("\(name): \(template): want error \(want), got \(got.debugDescription)")
        }
    }
}

extension GoTemplateExecTests {
    /// From exec_test.go execTests.
    static let execTests: [GoTemplateCase] = [
        GoTemplateCase("empty", "", output: ""),
        GoTemplateCase("text", "some text", output: "some text"),
        GoTemplateCase("nil action", "{{nil}}", error: "template: F:1:2: executing \"F\" at <nil>: nil is not a command"),
        GoTemplateCase("ideal int", "{{printf `%T` 3}}", output: "int"),
        GoTemplateCase("ideal float", "{{printf `%T` 1.0}}", output: "float64"),
        GoTemplateCase("ideal exp float", "{{printf `%T` 1e1}}", output: "float64"),
        GoTemplateCase("ideal complex", "{{printf `%T` 1i}}", output: "complex128"),
        GoTemplateCase("ideal int big", "{{printf `%T` 0x7fffffffffffffff}}", output: "int"),
        GoTemplateCase("ideal too big", "{{printf `%T` 0x8000000000000000}}", error: "template: F:1:14: executing \"F\" at <0x8000000000000000>: 0x8000000000000000 overflows int"),
        GoTemplateCase("ideal nil without type", "{{nil}}", error: "template: F:1:2: executing \"F\" at <nil>: nil is not a command"),
        GoTemplateCase("map .one", "{{.one}}", output: "1"),
        GoTemplateCase("map .two", "{{.two}}", output: "2"),
        GoTemplateCase("map .NO (missingkey=error)", "{{.NO}}", error: "template: F:1:2: executing \"F\" at <.NO>: map has no entry for key \"NO\""),
        GoTemplateCase("map .WRONG args", "{{.one 1}}", error: "template: F:1:2: executing \"F\" at <.one>: one is not a method but has arguments"),
        GoTemplateCase("dot map", "<{{.}}>", data: ["two": "22"], output: "<map[two:22]>"),
        GoTemplateCase("dot int", "{{with 13}}<{{.}}>{{end}}", output: "<13>"),
        GoTemplateCase("dot float", "{{with 15.1}}<{{.}}>{{end}}", output: "<15.1>"),
        GoTemplateCase("dot bool", "{{with true}}<{{.}}>{{end}}", output: "<true>"),
        GoTemplateCase("dot complex", "{{with 16.2-17i}}<{{.}}>{{end}}", output: "<(16.2-17i)>"),
        GoTemplateCase("dot string", "{{with .X}}<{{.}}>{{end}}", output: "<x>"),
        GoTemplateCase("$ map", "{{$}}", data: ["a": "1"], output: "map[a:1]"),
        GoTemplateCase("$.I", "{{$.I}}", output: "17"),
        GoTemplateCase("declare in action", "{{$x := $.X}}{{$x}}", output: "x"),
        GoTemplateCase("simple assignment", "{{$x := 2}}{{$x = 3}}{{$x}}", output: "3"),
        GoTemplateCase("nested assignment", "{{$x := 2}}{{if true}}{{$x = 3}}{{end}}{{$x}}", output: "3"),
        GoTemplateCase("nested assignment changes the last declaration", "{{$x := 1}}{{if true}}{{$x := 2}}{{if true}}{{$x = 3}}{{end}}{{end}}{{$x}}", output: "1"),
        GoTemplateCase("field on string", "{{.X.Y}}", error: "template: F:1:4: executing \"F\" at <.X.Y>: can't evaluate field Y in type string"),
        GoTemplateCase("method on string", "{{.X.Method0}}", error: "template: F:1:4: executing \"F\" at <.X.Method0>: can't evaluate field Method0 in type string"),
        GoTemplateCase("unparenthesized non-function", "{{1 2}}", error: "template: F:1:2: executing \"F\" at <1>: can't give argument to non-function 1"),
        GoTemplateCase("parenthesized non-function", "{{(1) 2}}", error: "template: F:1:2: executing \"F\" at <(1) 2>: can't give argument to non-function 1"),
        GoTemplateCase("parenthesized non-function with no args", "{{(1)}}", output: "1"),
        GoTemplateCase("method call with args", "-{{.X 1234}}-", error: "template: F:1:3: executing \"F\" at <.X>: X is not a method but has arguments"),
        GoTemplateCase("call nil", "{{call nil}}", error: "template: F:1:2: executing \"F\" at <call nil>: error calling call: call of nil"),
        GoTemplateCase("call field", "{{call .X}}", error: "template: F:1:2: executing \"F\" at <call .X>: error calling call: non-function of type string"),
        GoTemplateCase("pipeline", "-{{.X | printf `%s-1`}}-", output: "-x-1-"),
        GoTemplateCase("pipeline func", "-{{printf `%s` `llo` | printf `he%s`}}-", output: "-hello-"),
        GoTemplateCase("parens in pipeline", "{{printf `%d %d %d` (1) (len `ab`) (len (printf `%d` 12345))}}", output: "1 2 5"),
        GoTemplateCase("parens: $ in paren", "{{($).X}}", output: "x"),
        GoTemplateCase("parens: index in paren", "{{(index $ `X`)}}", output: "x"),
        GoTemplateCase("parens: $ in paren in pipe", "{{($ | print | len)}}", data: ["a": "1"], output: "8"),
        GoTemplateCase("if true", "{{if true}}TRUE{{end}}", output: "TRUE"),
        GoTemplateCase("if false", "{{if false}}TRUE{{else}}FALSE{{end}}", output: "FALSE"),
        GoTemplateCase("if nil", "{{if nil}}TRUE{{end}}", error: "template: F:1:5: executing \"F\" at <nil>: nil is not a command"),
        GoTemplateCase("if 1", "{{if 1}}NON-ZERO{{else}}ZERO{{end}}", output: "NON-ZERO"),
        GoTemplateCase("if 0", "{{if 0}}NON-ZERO{{else}}ZERO{{end}}", output: "ZERO"),
        GoTemplateCase("if 1.5", "{{if 1.5}}NON-ZERO{{else}}ZERO{{end}}", output: "NON-ZERO"),
        GoTemplateCase("if 0.0", "{{if 0.0}}NON-ZERO{{else}}ZERO{{end}}", output: "ZERO"),
        GoTemplateCase("if 1.5i", "{{if 1.5i}}NON-ZERO{{else}}ZERO{{end}}", output: "NON-ZERO"),
        GoTemplateCase("if 0.0i", "{{if 0.0i}}NON-ZERO{{else}}ZERO{{end}}", output: "ZERO"),
        GoTemplateCase("if emptystring", "{{if ``}}NON-EMPTY{{else}}EMPTY{{end}}", output: "EMPTY"),
        GoTemplateCase("if string", "{{if `notempty`}}NON-EMPTY{{else}}EMPTY{{end}}", output: "NON-EMPTY"),
        GoTemplateCase("if empty property", "{{if .E}}NON-EMPTY{{else}}EMPTY{{end}}", output: "EMPTY"),
        GoTemplateCase("if emptymap", "{{if .}}NON-EMPTY{{else}}EMPTY{{end}}", data: [:], output: "EMPTY"),
        GoTemplateCase("if map", "{{if .}}NON-EMPTY{{else}}EMPTY{{end}}", output: "NON-EMPTY"),
        GoTemplateCase("if map unset (missingkey=error)", "{{if .none}}NON-ZERO{{else}}ZERO{{end}}", error: "template: F:1:5: executing \"F\" at <.none>: map has no entry for key \"none\""),
        GoTemplateCase("if $x with $y int", "{{if $x := true}}{{with $y := .I}}{{$x}},{{$y}}{{end}}{{end}}", output: "true,17"),
        GoTemplateCase("if $x with $x int", "{{if $x := true}}{{with $x := .I}}{{$x}},{{end}}{{$x}}{{end}}", output: "17,true"),
        GoTemplateCase("if else if", "{{if false}}FALSE{{else if true}}TRUE{{end}}", output: "TRUE"),
        GoTemplateCase("if else chain", "{{if eq 1 3}}1{{else if eq 2 3}}2{{else if eq 3 3}}3{{end}}", output: "3"),
        GoTemplateCase("print", "{{print \"hello, print\"}}", output: "hello, print"),
        GoTemplateCase("print 123", "{{print 1 2 3}}", output: "1 2 3"),
        GoTemplateCase("print nil", "{{print nil}}", output: "<nil>"),
        GoTemplateCase("println", "{{println 1 2 3}}", output: "1 2 3\n"),
        GoTemplateCase("printf int", "{{printf \"%04x\" 127}}", output: "007f"),
        GoTemplateCase("printf float", "{{printf \"%g\" 3.5}}", output: "3.5"),
        GoTemplateCase("printf complex", "{{printf \"%g\" 1+7i}}", output: "(1+7i)"),
        GoTemplateCase("printf string", "{{printf \"%s\" \"hello\"}}", output: "hello"),
        GoTemplateCase("printf function", "{{printf \"%#q\" `zeroArgs`}}", output: "`zeroArgs`"),
        GoTemplateCase("printf field", "{{printf \"%s\" .X}}", output: "x"),
        GoTemplateCase("printf dot", "{{with .I}}{{printf \"%s\" .}}{{end}}", output: "17"),
        GoTemplateCase("printf var", "{{with $x := .I}}{{printf \"%s\" $x}}{{end}}", output: "17"),
        GoTemplateCase("printf lots", "{{printf \"%d %s %g %s\" 127 \"hello\" 7-3i .X}}", output: "127 hello (7-3i) x"),
        GoTemplateCase("html", "{{html \"<script>alert(\\\"XSS\\\");</script>\"}}", output: "&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;"),
        GoTemplateCase("html pipeline", "{{printf \"<script>alert(\\\"XSS\\\");</script>\" | html}}", output: "&lt;script&gt;alert(&#34;XSS&#34;);&lt;/script&gt;"),
        GoTemplateCase("html field", "{{html .X}}", output: "x"),
        GoTemplateCase("html untyped nil", "{{html nil}}", output: "&lt;no value&gt;"),
        GoTemplateCase("js", "{{js .js}}", output: "It\\'d be nice."),
        GoTemplateCase("urlquery", "{{\"http://www.example.org/\"|urlquery}}", output: "http%3A%2F%2Fwww.example.org%2F"),
        GoTemplateCase("not", "{{not true}} {{not false}}", output: "false true"),
        GoTemplateCase("and", "{{and false 0}} {{and 1 0}} {{and 0 true}} {{and 1 1}}", output: "false 0 0 1"),
        GoTemplateCase("or", "{{or 0 0}} {{or 1 0}} {{or 0 true}} {{or 1 1}}", output: "0 1 true 1"),
        GoTemplateCase("or short-circuit", "{{or 0 1 (index 3 0)}}", output: "1"),
        GoTemplateCase("and short-circuit", "{{and 1 0 (index 3 0)}}", output: "0"),
        GoTemplateCase("or short-circuit2", "{{or 0 0 (index 3 0)}}", error: "template: F:1:10: executing \"F\" at <index 3 0>: error calling index: can't index item of type int"),
        GoTemplateCase("and short-circuit2", "{{and 1 1 (index 3 0)}}", error: "template: F:1:11: executing \"F\" at <index 3 0>: error calling index: can't index item of type int"),
        GoTemplateCase("and pipe-true", "{{1 | and 1}}", output: "1"),
        GoTemplateCase("and pipe-false", "{{0 | and 1}}", output: "0"),
        GoTemplateCase("or pipe-true", "{{1 | or 0}}", output: "1"),
        GoTemplateCase("or pipe-false", "{{0 | or 0}}", output: "0"),
        GoTemplateCase("and undef (missingkey=error)", "{{and 1 .Unknown}}", error: "template: F:1:8: executing \"F\" at <.Unknown>: map has no entry for key \"Unknown\""),
        GoTemplateCase("or undef (missingkey=error)", "{{or 0 .Unknown}}", error: "template: F:1:7: executing \"F\" at <.Unknown>: map has no entry for key \"Unknown\""),
        GoTemplateCase("and nil", "{{and nil 1}}", output: "<no value>"),
        GoTemplateCase("boolean if", "{{if and true 1 `hi`}}TRUE{{else}}FALSE{{end}}", output: "TRUE"),
        GoTemplateCase("boolean if not", "{{if and true 1 `hi` | not}}TRUE{{else}}FALSE{{end}}", output: "FALSE"),
        GoTemplateCase("boolean if pipe", "{{if true | not | and 1}}TRUE{{else}}FALSE{{end}}", output: "FALSE"),
        GoTemplateCase("string[0]", "{{index .S 0}}", output: "120"),
        GoTemplateCase("string[1]", "{{index .S 1}}", output: "121"),
        GoTemplateCase("string[HUGE]", "{{index .S 10}}", error: "template: F:1:2: executing \"F\" at <index .S 10>: error calling index: index out of range: 10"),
        GoTemplateCase("string[WRONG]", "{{index .S `hello`}}", error: "template: F:1:2: executing \"F\" at <index .S `hello`>: error calling index: cannot index slice/array with type string"),
        GoTemplateCase("string[nil]", "{{index .S nil}}", error: "template: F:1:2: executing \"F\" at <index .S nil>: error calling index: cannot index slice/array with nil"),
        GoTemplateCase("map[one]", "{{index . `one`}}", output: "1"),
        GoTemplateCase("map[two]", "{{index . `two`}}", output: "2"),
        GoTemplateCase("map[NO]", "{{index . `XXX`}}", output: ""),
        GoTemplateCase("map[nil]", "{{index . nil}}", error: "template: F:1:2: executing \"F\" at <index . nil>: error calling index: value is nil; should be of type string"),
        GoTemplateCase("map[``]", "{{index . ``}}", output: ""),
        GoTemplateCase("map[WRONG]", "{{index . 10}}", error: "template: F:1:2: executing \"F\" at <index . 10>: error calling index: value has type int; should be string"),
        GoTemplateCase("double index", "{{index . `S` 1}}", output: "121"),
        GoTemplateCase("nil[1]", "{{index nil 1}}", error: "template: F:1:2: executing \"F\" at <index nil 1>: error calling index: index of untyped nil"),
        GoTemplateCase("index of int", "{{index 3 0}}", error: "template: F:1:2: executing \"F\" at <index 3 0>: error calling index: can't index item of type int"),
        GoTemplateCase("index no indexes", "{{index .S}}", output: "xyz"),
        GoTemplateCase("string[:]", "{{slice .S}}", output: "xyz"),
        GoTemplateCase("string[0:1]", "{{slice .S 0 1}}", output: "x"),
        GoTemplateCase("string[1:]", "{{slice .S 1}}", output: "yz"),
        GoTemplateCase("string[1:2]", "{{slice .S 1 2}}", output: "y"),
        GoTemplateCase("string[-1:]", "{{slice .S -1}}", error: "template: F:1:2: executing \"F\" at <slice .S -1>: error calling slice: index out of range: -1"),
        GoTemplateCase("string[2:1]", "{{slice .S 2 1}}", error: "template: F:1:2: executing \"F\" at <slice .S 2 1>: error calling slice: invalid slice index: 2 > 1"),
        GoTemplateCase("out of range", "{{slice .S 1 5}}", error: "template: F:1:2: executing \"F\" at <slice .S 1 5>: error calling slice: index out of range: 5"),
        GoTemplateCase("3-index slice of string", "{{slice .S 1 2 2}}", error: "template: F:1:2: executing \"F\" at <slice .S 1 2 2>: error calling slice: cannot 3-index slice a string"),
        GoTemplateCase("slice of map", "{{slice . 1}}", error: "template: F:1:2: executing \"F\" at <slice . 1>: error calling slice: can't slice item of type map[string]string"),
        GoTemplateCase("slice of nil", "{{slice nil}}", error: "template: F:1:2: executing \"F\" at <slice nil>: error calling slice: slice of untyped nil"),
        GoTemplateCase("too many slice indexes", "{{slice .S 1 2 3 4}}", error: "template: F:1:2: executing \"F\" at <slice .S 1 2 3 4>: error calling slice: too many slice indexes: 4"),
        GoTemplateCase("len string", "{{len .S}}", output: "3"),
        GoTemplateCase("len map", "{{len . }}", output: "12"),
        GoTemplateCase("len of int", "{{len 3}}", error: "template: F:1:2: executing \"F\" at <len 3>: error calling len: len of type int"),
        GoTemplateCase("len of bytes", "{{len `héllo`}}", output: "6"),
        GoTemplateCase("with true", "{{with true}}{{.}}{{end}}", output: "true"),
        GoTemplateCase("with false", "{{with false}}{{.}}{{else}}FALSE{{end}}", output: "FALSE"),
        GoTemplateCase("with 1", "{{with 1}}{{.}}{{else}}ZERO{{end}}", output: "1"),
        GoTemplateCase("with 0", "{{with 0}}{{.}}{{else}}ZERO{{end}}", output: "ZERO"),
        GoTemplateCase("with 1.5", "{{with 1.5}}{{.}}{{else}}ZERO{{end}}", output: "1.5"),
        GoTemplateCase("with 0.0", "{{with 0.0}}{{.}}{{else}}ZERO{{end}}", output: "ZERO"),
        GoTemplateCase("with 1.5i", "{{with 1.5i}}{{.}}{{else}}ZERO{{end}}", output: "(0+1.5i)"),
        GoTemplateCase("with 0.0i", "{{with 0.0i}}{{.}}{{else}}ZERO{{end}}", output: "ZERO"),
        GoTemplateCase("with emptystring", "{{with ``}}{{.}}{{else}}EMPTY{{end}}", output: "EMPTY"),
        GoTemplateCase("with string", "{{with `notempty`}}{{.}}{{else}}EMPTY{{end}}", output: "notempty"),
        GoTemplateCase("with emptymap", "{{with .}}{{.}}{{else}}EMPTY{{end}}", data: [:], output: "EMPTY"),
        GoTemplateCase("with map", "{{with .}}{{.}}{{else}}EMPTY{{end}}", data: ["one": "1"], output: "map[one:1]"),
        GoTemplateCase("with $x int", "{{with $x := .I}}{{$x}}{{end}}", output: "17"),
        GoTemplateCase("with $x map.X", "{{with $x := $}}{{$x.X}}{{end}}", output: "x"),
        GoTemplateCase("with variable and action", "{{with $x := $}}{{$y := $.X}}{{$y}}{{end}}", output: "x"),
        GoTemplateCase("range map", "{{range .}}-{{.}}-{{end}}", data: GoTemplateExecTests.small, output: "-1--2--3-"),
        GoTemplateCase("range empty map no else", "{{range .}}-{{.}}-{{end}}", data: [:], output: ""),
        GoTemplateCase("range map else", "{{range .}}-{{.}}-{{else}}EMPTY{{end}}", data: GoTemplateExecTests.small, output: "-1--2--3-"),
        GoTemplateCase("range empty map else", "{{range .}}-{{.}}-{{else}}EMPTY{{end}}", data: [:], output: "EMPTY"),
        GoTemplateCase("range map break else", "{{range .}}-{{.}}-{{break}}NOTREACHED{{else}}EMPTY{{end}}", data: GoTemplateExecTests.small, output: "-1-"),
        GoTemplateCase("range map continue else", "{{range .}}-{{.}}-{{continue}}NOTREACHED{{else}}EMPTY{{end}}", data: GoTemplateExecTests.small, output: "-1--2--3-"),
        GoTemplateCase("range $x map", "{{range $x := .}}<{{$x}}>{{end}}", data: GoTemplateExecTests.small, output: "<1><2><3>"),
        GoTemplateCase("range $x $y map", "{{range $x, $y := .}}<{{$x}}={{$y}}>{{end}}", data: GoTemplateExecTests.small, output: "<a=1><b=2><c=3>"),
        GoTemplateCase("declare in range", "{{range $x := .}}<{{$foo:=$x}}{{$x}}>{{end}}", data: GoTemplateExecTests.small, output: "<1><2><3>"),
        GoTemplateCase("range nil", "{{range nil}}x{{end}}", error: "template: F:1:8: executing \"F\" at <nil>: nil is not a command"),
        GoTemplateCase("range string", "{{range .X}}x{{end}}", error: "template: F:1:8: executing \"F\" at <.X>: range can't iterate over x"),
        GoTemplateCase("range bool", "{{range true}}x{{end}}", error: "template: F:1:8: executing \"F\" at <true>: range can't iterate over true"),
        GoTemplateCase("or as if true", "{{or .X \"is empty\"}}", output: "x"),
        GoTemplateCase("or as if false", "{{or .E \"is empty\"}}", output: "is empty"),
        GoTemplateCase("decimal", "{{print 1234}}", output: "1234"),
        GoTemplateCase("decimal _", "{{print 12_34}}", output: "1234"),
        GoTemplateCase("binary", "{{print 0b101}}", output: "5"),
        GoTemplateCase("binary _", "{{print 0b_1_0_1}}", output: "5"),
        GoTemplateCase("BINARY", "{{print 0B101}}", output: "5"),
        GoTemplateCase("octal0", "{{print 0377}}", output: "255"),
        GoTemplateCase("octal", "{{print 0o377}}", output: "255"),
        GoTemplateCase("octal _", "{{print 0o_3_7_7}}", output: "255"),
        GoTemplateCase("OCTAL", "{{print 0O377}}", output: "255"),
        GoTemplateCase("hex", "{{print 0x123}}", output: "291"),
        GoTemplateCase("hex _", "{{print 0x1_23}}", output: "291"),
        GoTemplateCase("HEX", "{{print 0X123ABC}}", output: "1194684"),
        GoTemplateCase("float", "{{print 123.4}}", output: "123.4"),
        GoTemplateCase("float _", "{{print 0_0_1_2_3.4}}", output: "123.4"),
        GoTemplateCase("hex float", "{{print +0x1.ep+2}}", output: "7.5"),
        GoTemplateCase("hex float _", "{{print +0x_1.e_0p+0_2}}", output: "7.5"),
        GoTemplateCase("HEX float", "{{print +0X1.EP+2}}", output: "7.5"),
        GoTemplateCase("print multi", "{{print 1_2_3_4 7.5_00_00_00}}", output: "1234 7.5"),
        GoTemplateCase("print multi2", "{{print 1234 0x0_1.e_0p+02}}", output: "1234 7.5"),
        GoTemplateCase("bug7a", "{{3 2}}", error: "template: F:1:2: executing \"F\" at <3>: can't give argument to non-function 3"),
        GoTemplateCase("bug7b", "{{$x := 1}}{{$x 2}}", error: "template: F:1:13: executing \"F\" at <$x>: can't give argument to non-function $x"),
        GoTemplateCase("bug7c", "{{$x := 1}}{{3 | $x}}", error: "template: F:1:17: executing \"F\" at <$x>: can't give argument to non-function $x"),
        GoTemplateCase("bug9", "{{.cause}}", output: "neglect"),
        GoTemplateCase("bug12xe", "{{printf `%T` 0xef}}", output: "int"),
        GoTemplateCase("bug12xE", "{{printf `%T` 0xEE}}", output: "int"),
        GoTemplateCase("bug12Xe", "{{printf `%T` 0Xef}}", output: "int"),
        GoTemplateCase("bug12XE", "{{printf `%T` 0XEE}}", output: "int"),
        GoTemplateCase("bug14a", "{{(nil).True}}", error: "template: F:1:3: executing \"F\" at <nil>: nil is not a command"),
        GoTemplateCase("bug14b", "{{$x := nil}}{{$x.anything}}", error: "template: F:1:8: executing \"F\" at <nil>: nil is not a command"),
        GoTemplateCase("bug14c", "{{$x := (1.0)}}{{$y := (\"hello\")}}{{$x.anything}}{{$y.true}}", error: "template: F:1:38: executing \"F\" at <$x.anything>: can't evaluate field anything in type float64"),
        GoTemplateCase("bug16a", "{{true|printf}}", error: "template: F:1:7: executing \"F\" at <printf>: wrong type for value; expected string; got bool"),
        GoTemplateCase("bug16b", "{{1|printf}}", error: "template: F:1:4: executing \"F\" at <printf>: wrong type for value; expected string; got int"),
        GoTemplateCase("bug16c", "{{1.1|printf}}", error: "template: F:1:6: executing \"F\" at <printf>: wrong type for value; expected string; got float64"),
        GoTemplateCase("bug16d", "{{'x'|printf}}", error: "template: F:1:6: executing \"F\" at <printf>: wrong type for value; expected string; got int"),
        GoTemplateCase("bug16e", "{{0i|printf}}", error: "template: F:1:5: executing \"F\" at <printf>: wrong type for value; expected string; got complex128"),
        GoTemplateCase("bug16j", "{{1+2i|printf \"%v\"}}", output: "(1+2i)"),
        GoTemplateCase("bug16k", "{{\"aaa\"|printf }}", output: "aaa"),
        GoTemplateCase("bug18a", "{{eq 46 '.'}}", output: "true"),
        GoTemplateCase("bug18b", "{{eq 101 'e'}}", output: "true"),
        GoTemplateCase("bug18c", "{{eq 80 'P'}}", output: "true"),
    ]

    /// From exec_test.go cmpTests.
    static let cmpTests: [GoTemplateCase] = [
        GoTemplateCase("eq true true", "{{if eq true true}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("eq true false", "{{if eq true false}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("eq 1+2i 1+2i", "{{if eq 1+2i 1+2i}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("eq 1+2i 1+3i", "{{if eq 1+2i 1+3i}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("eq 1.5 1.5", "{{if eq 1.5 1.5}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("eq 1.5 2.5", "{{if eq 1.5 2.5}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("eq 1 1", "{{if eq 1 1}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("eq 1 2", "{{if eq 1 2}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("eq `xy` `xy`", "{{if eq `xy` `xy`}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("eq `xy` `xyz`", "{{if eq `xy` `xyz`}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("eq (index \"\\x03\" 0) (index \"\\x03\" 0)", "{{if eq (index \"\\x03\" 0) (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("eq (index \"\\x03\" 0) (index \"\\x04\" 0)", "{{if eq (index \"\\x03\" 0) (index \"\\x04\" 0)}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("eq 3 4 5 6 3", "{{if eq 3 4 5 6 3}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("eq 3 4 5 6 7", "{{if eq 3 4 5 6 7}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("ne true true", "{{if ne true true}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("ne true false", "{{if ne true false}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ne 1+2i 1+2i", "{{if ne 1+2i 1+2i}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("ne 1+2i 1+3i", "{{if ne 1+2i 1+3i}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ne 1.5 1.5", "{{if ne 1.5 1.5}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("ne 1.5 2.5", "{{if ne 1.5 2.5}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ne 1 1", "{{if ne 1 1}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("ne 1 2", "{{if ne 1 2}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ne `xy` `xy`", "{{if ne `xy` `xy`}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("ne `xy` `xyz`", "{{if ne `xy` `xyz`}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ne (index \"\\x03\" 0) (index \"\\x03\" 0)", "{{if ne (index \"\\x03\" 0) (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("ne (index \"\\x03\" 0) (index \"\\x04\" 0)", "{{if ne (index \"\\x03\" 0) (index \"\\x04\" 0)}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("lt 1.5 1.5", "{{if lt 1.5 1.5}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("lt 1.5 2.5", "{{if lt 1.5 2.5}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("lt 1 1", "{{if lt 1 1}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("lt 1 2", "{{if lt 1 2}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("lt `xy` `xy`", "{{if lt `xy` `xy`}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("lt `xy` `xyz`", "{{if lt `xy` `xyz`}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("lt (index \"\\x03\" 0) (index \"\\x03\" 0)", "{{if lt (index \"\\x03\" 0) (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("lt (index \"\\x03\" 0) (index \"\\x04\" 0)", "{{if lt (index \"\\x03\" 0) (index \"\\x04\" 0)}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("le 1.5 1.5", "{{if le 1.5 1.5}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("le 1.5 2.5", "{{if le 1.5 2.5}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("le 2.5 1.5", "{{if le 2.5 1.5}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("le 1 1", "{{if le 1 1}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("le 1 2", "{{if le 1 2}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("le 2 1", "{{if le 2 1}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("le `xy` `xy`", "{{if le `xy` `xy`}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("le `xy` `xyz`", "{{if le `xy` `xyz`}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("le `xyz` `xy`", "{{if le `xyz` `xy`}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("le (index \"\\x03\" 0) (index \"\\x03\" 0)", "{{if le (index \"\\x03\" 0) (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("le (index \"\\x03\" 0) (index \"\\x04\" 0)", "{{if le (index \"\\x03\" 0) (index \"\\x04\" 0)}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("le (index \"\\x04\" 0) (index \"\\x03\" 0)", "{{if le (index \"\\x04\" 0) (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("gt 1.5 1.5", "{{if gt 1.5 1.5}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("gt 1.5 2.5", "{{if gt 1.5 2.5}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("gt 1 1", "{{if gt 1 1}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("gt 2 1", "{{if gt 2 1}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("gt 1 2", "{{if gt 1 2}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("gt `xy` `xy`", "{{if gt `xy` `xy`}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("gt `xy` `xyz`", "{{if gt `xy` `xyz`}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("gt (index \"\\x03\" 0) (index \"\\x03\" 0)", "{{if gt (index \"\\x03\" 0) (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("gt (index \"\\x03\" 0) (index \"\\x04\" 0)", "{{if gt (index \"\\x03\" 0) (index \"\\x04\" 0)}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("gt (index \"\\x04\" 0) (index \"\\x03\" 0)", "{{if gt (index \"\\x04\" 0) (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ge 1.5 1.5", "{{if ge 1.5 1.5}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ge 1.5 2.5", "{{if ge 1.5 2.5}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("ge 2.5 1.5", "{{if ge 2.5 1.5}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ge 1 1", "{{if ge 1 1}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ge 1 2", "{{if ge 1 2}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("ge 2 1", "{{if ge 2 1}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ge `xy` `xy`", "{{if ge `xy` `xy`}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ge `xy` `xyz`", "{{if ge `xy` `xyz`}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("ge `xyz` `xy`", "{{if ge `xyz` `xy`}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ge (index \"\\x03\" 0) (index \"\\x03\" 0)", "{{if ge (index \"\\x03\" 0) (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ge (index \"\\x03\" 0) (index \"\\x04\" 0)", "{{if ge (index \"\\x03\" 0) (index \"\\x04\" 0)}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("ge (index \"\\x04\" 0) (index \"\\x03\" 0)", "{{if ge (index \"\\x04\" 0) (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("eq (index \"\\x03\" 0) 3", "{{if eq (index \"\\x03\" 0) 3}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("eq 3 (index \"\\x03\" 0)", "{{if eq 3 (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("le (index \"\\x03\" 0) 3", "{{if le (index \"\\x03\" 0) 3}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("le 3 (index \"\\x03\" 0)", "{{if le 3 (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ge (index \"\\x03\" 0) 3", "{{if ge (index \"\\x03\" 0) 3}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ge 3 (index \"\\x03\" 0)", "{{if ge 3 (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("lt (index \"\\x03\" 0) 3", "{{if lt (index \"\\x03\" 0) 3}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("lt 3 (index \"\\x03\" 0)", "{{if lt 3 (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("gt (index \"\\x03\" 0) 3", "{{if gt (index \"\\x03\" 0) 3}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("gt 3 (index \"\\x03\" 0)", "{{if gt 3 (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("eq (index \"\\x04\" 0) 3", "{{if eq (index \"\\x04\" 0) 3}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("lt (index \"\\x04\" 0) 3", "{{if lt (index \"\\x04\" 0) 3}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("gt (index \"\\x04\" 0) 3", "{{if gt (index \"\\x04\" 0) 3}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("eq -1 (index \"\\x03\" 0)", "{{if eq -1 (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("eq (index \"\\x03\" 0) -1", "{{if eq (index \"\\x03\" 0) -1}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("ne -1 (index \"\\x03\" 0)", "{{if ne -1 (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ne (index \"\\x03\" 0) -1", "{{if ne (index \"\\x03\" 0) -1}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("lt -1 (index \"\\x03\" 0)", "{{if lt -1 (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("lt (index \"\\x03\" 0) -1", "{{if lt (index \"\\x03\" 0) -1}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("le -1 (index \"\\x03\" 0)", "{{if le -1 (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("le (index \"\\x03\" 0) -1", "{{if le (index \"\\x03\" 0) -1}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("gt -1 (index \"\\x03\" 0)", "{{if gt -1 (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("gt (index \"\\x03\" 0) -1", "{{if gt (index \"\\x03\" 0) -1}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("ge -1 (index \"\\x03\" 0)", "{{if ge -1 (index \"\\x03\" 0)}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("ge (index \"\\x03\" 0) -1", "{{if ge (index \"\\x03\" 0) -1}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("eq (index `x` 0) 'x'", "{{if eq (index `x` 0) 'x'}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("eq (index `x` 0) 'y'", "{{if eq (index `x` 0) 'y'}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("eq . .", "{{if eq . .}}true{{else}}false{{end}}", error: "template: F:1:5: executing \"F\" at <eq . .>: error calling eq: non-comparable type map[E: I:17 S:xyz X:x cause:neglect html:<b>\"hi\" & 'bye'</b> js:It'd be nice. one:1 region:eu-west three:3 two:2 url:http://www.example.org/?q=a b&c]: map[string]string"),
        GoTemplateCase("eq . nil", "{{if eq . nil}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("eq nil .", "{{if eq nil .}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("eq nil nil", "{{if eq nil nil}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("eq .X nil", "{{if eq .X nil}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("eq 0 nil", "{{if eq 0 nil}}true{{else}}false{{end}}", output: "false"),
        GoTemplateCase("eq `xy` 1", "{{if eq `xy` 1}}true{{else}}false{{end}}", error: "template: F:1:5: executing \"F\" at <eq `xy` 1>: error calling eq: incompatible types for comparison"),
        GoTemplateCase("eq 2 2.0", "{{if eq 2 2.0}}true{{else}}false{{end}}", error: "template: F:1:5: executing \"F\" at <eq 2 2.0>: error calling eq: incompatible types for comparison"),
        GoTemplateCase("lt true true", "{{if lt true true}}true{{else}}false{{end}}", error: "template: F:1:5: executing \"F\" at <lt true true>: error calling lt: invalid type for comparison"),
        GoTemplateCase("lt 1+0i 1+0i", "{{if lt 1+0i 1+0i}}true{{else}}false{{end}}", error: "template: F:1:5: executing \"F\" at <lt 1+0i 1+0i>: error calling lt: invalid type for comparison"),
        GoTemplateCase("lt . 1", "{{if lt . 1}}true{{else}}false{{end}}", error: "template: F:1:5: executing \"F\" at <lt . 1>: error calling lt: invalid type for comparison"),
        GoTemplateCase("lt nil 1", "{{if lt nil 1}}true{{else}}false{{end}}", error: "template: F:1:5: executing \"F\" at <lt nil 1>: error calling lt: invalid type for comparison"),
        GoTemplateCase("eq . 1", "{{if eq . 1}}true{{else}}false{{end}}", error: "template: F:1:5: executing \"F\" at <eq . 1>: error calling eq: incompatible types for comparison"),
        GoTemplateCase("eq .X .X", "{{if eq .X .X}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("eq .X `x`", "{{if eq .X `x`}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("lt .I `9`", "{{if lt .I `9`}}true{{else}}false{{end}}", output: "true"),
        GoTemplateCase("eq 1", "{{if eq 1}}true{{else}}false{{end}}", error: "template: F:1:5: executing \"F\" at <eq 1>: error calling eq: missing argument for comparison"),
        GoTemplateCase("ne 1 2 3", "{{if ne 1 2 3}}true{{else}}false{{end}}", error: "template: F:1:5: executing \"F\" at <ne>: wrong number of args for ne: want 2 got 3"),
    ]

    /// From exec_test.go TestMissingMapKey.
    static let missingKeyTests: [GoTemplateCase] = [
        GoTemplateCase("missingkey=error", "{{.x}} {{.y}}", data: ["x": "99"], error: "template: F:1:9: executing \"F\" at <.y>: map has no entry for key \"y\""),
        GoTemplateCase("present", "{{.x}}", data: ["x": "99"], output: "99"),
    ]

    /// From exec_test.go TestExecError.
    static let execErrorTests: [GoTemplateCase] = [
        GoTemplateCase("error position", "line 1\nline 2\nline 3\n{{template \"one\" .}}", error: "template: F:4: {{template}} is not supported"),  // unsupported in Flotilla
        GoTemplateCase("error position multi-line", "line 1\nline 2\n{{.x}}\n  {{ .nope }}", data: ["x": "1"], error: "template: F:4:5: executing \"F\" at <.nope>: map has no entry for key \"nope\""),
    ]

    /// From exec_test.go TestFinalForPrintf.
    static let finalForPrintfTests: [GoTemplateCase] = [
        GoTemplateCase("final for printf", "{{\"x\" | printf}}", output: "x"),
        GoTemplateCase("final for printf 2", "{{\"x\" | printf \"%s%s\" \"y\"}}", output: "yx"),
    ]

    /// From doc.go (actions, variables, functions).
    static let languageTests: [GoTemplateCase] = [
        GoTemplateCase("issue example", "{{ .region | printf \"%s-1\" }}", output: "eu-west-1"),
        GoTemplateCase("trim markers", "a  {{- .X -}}  b", output: "axb"),
        GoTemplateCase("trim newline", "a\n{{- .X }}\n b", output: "ax\n b"),
        GoTemplateCase("comment", "a{{/* comment */}}b", output: "ab"),
        GoTemplateCase("comment trimmed", "a {{- /* comment */ -}} b", output: "ab"),
        GoTemplateCase("raw string", "{{`a\\nb`}}", output: "a\\nb"),
        GoTemplateCase("interpreted string", "{{\"a\\tb\\u00e9\\x41\\101\"}}", output: "a\tbéAA"),
        GoTemplateCase("char constant", "{{'a'}} {{'\\n'}} {{printf \"%c\" 'é'}}", output: "97 10 é"),
        GoTemplateCase("variable $ in range", "{{range $k, $v := .}}{{$k}}={{$v}};{{$.X}}{{end}}", data: ["X": "x", "b": "2"], output: "X=x;xb=2;x"),
        GoTemplateCase("assign in range", "{{$last := \"\"}}{{range .}}{{$last = .}}{{end}}{{$last}}", data: GoTemplateExecTests.small, output: "3"),
        GoTemplateCase("range assign vars", "{{$k := \"\"}}{{$v := \"\"}}{{range $k, $v = .}}{{end}}{{$k}}={{$v}}", data: GoTemplateExecTests.small, output: "c=3"),
        GoTemplateCase("nested range break", "{{range $k, $v := .}}{{range $.X}}{{end}}{{end}}", data: ["X": "x"], error: "template: F:1:30: executing \"F\" at <$.X>: range can't iterate over x"),
        GoTemplateCase("break in if in range", "{{range .}}{{if eq . \"2\"}}{{break}}{{end}}{{.}}{{end}}", data: GoTemplateExecTests.small, output: "1"),
        GoTemplateCase("continue in if in range", "{{range .}}{{if eq . \"2\"}}{{continue}}{{end}}{{.}}{{end}}", data: GoTemplateExecTests.small, output: "13"),
        GoTemplateCase("with else", "{{with .E}}set{{else}}unset{{end}}", output: "unset"),
        GoTemplateCase("len of property", "{{len .region}}", output: "7"),
        GoTemplateCase("index property", "{{index . \"region\"}}", output: "eu-west"),
        GoTemplateCase("slice property", "{{slice .region 0 2}}", output: "eu"),
        GoTemplateCase("eq property", "{{if eq .region \"eu-west\"}}EU{{else}}other{{end}}", output: "EU"),
        GoTemplateCase("eq multiple", "{{if eq .region \"us\" \"eu-west\"}}match{{end}}", output: "match"),
        GoTemplateCase("html property", "{{html .html}}", output: "&lt;b&gt;&#34;hi&#34; &amp; &#39;bye&#39;&lt;/b&gt;"),
        GoTemplateCase("js property", "{{js .html}}", output: "\\u003Cb\\u003E\\\"hi\\\" \\u0026 \\'bye\\'\\u003C/b\\u003E"),
        GoTemplateCase("urlquery property", "{{urlquery .url}}", output: "http%3A%2F%2Fwww.example.org%2F%3Fq%3Da+b%26c"),
        GoTemplateCase("urlquery multi", "{{urlquery \"a b\" 1 2}}", output: "a+b1+2"),
        GoTemplateCase("print mixed", "{{print \"a\" 1 2 \"b\" 3.5 true nil}}", output: "a1 2b3.5 true <nil>"),
        GoTemplateCase("println mixed", "{{println \"a\" 1 true}}", output: "a 1 true\n"),
        GoTemplateCase("not of property", "{{not .E}} {{not .X}}", output: "true false"),
        GoTemplateCase("dot in with", "{{with .X}}{{.}}{{end}}", output: "x"),
        GoTemplateCase("field of dot string", "{{with .X}}{{.Y}}{{end}}", error: "template: F:1:13: executing \"F\" at <.Y>: can't evaluate field Y in type string"),
        GoTemplateCase("$ field in with", "{{with .X}}{{$.S}}{{end}}", output: "xyz"),
        GoTemplateCase("variable field", "{{$m := .}}{{$m.X}}", output: "x"),
        GoTemplateCase("variable missing field", "{{$m := .}}{{$m.nope}}", error: "template: F:1:15: executing \"F\" at <$m.nope>: map has no entry for key \"nope\""),
        GoTemplateCase("chain field", "{{(.).X}}", output: "x"),
        GoTemplateCase("chain on string", "{{(.X).Y}}", error: "template: F:1:3: executing \"F\" at <.X>: can't evaluate field Y in type string"),
        GoTemplateCase("unicode field", "{{.größe}}", data: ["größe": "XL"], output: "XL"),
        GoTemplateCase("missing in nested", "{{if .X}}{{range .}}{{.}}{{end}}{{.nope}}{{end}}", error: "template: F:1:34: executing \"F\" at <.nope>: map has no entry for key \"nope\""),
        GoTemplateCase("keyword property", "{{.type}}", error: "template: F:1:2: executing \"F\" at <.type>: map has no entry for key \"type\""),
        GoTemplateCase("range int", "{{range 3}}{{.}}{{end}}", output: "012"),  // range over an int: Go 1.22+
        GoTemplateCase("range int var", "{{range $i := 3}}{{$i}}{{end}}", output: "012"),  // Go 1.22+
        GoTemplateCase("range int two vars", "{{range $i, $j := 3}}{{$i}}{{end}}", error: "can't use 3 to iterate over more than one variable"),  // Go 1.22+
        GoTemplateCase("range zero else", "{{range 0}}x{{else}}none{{end}}", output: "none"),  // Go 1.22+
        GoTemplateCase("else with", "{{with .E}}a{{else with .X}}b{{.}}{{else}}c{{end}}", output: "bx"),  // {{else with}}: Go 1.23+
        GoTemplateCase("else with chain", "{{with .E}}a{{else with .E}}b{{else}}c{{end}}", output: "c"),  // Go 1.23+
        GoTemplateCase("define", "{{define \"x\"}}hi{{end}}{{template \"x\"}}", error: "{{define}} is not supported"),  // unsupported in Flotilla
        GoTemplateCase("template", "{{template \"x\"}}", error: "{{template}} is not supported"),  // unsupported in Flotilla
        GoTemplateCase("block", "{{block \"x\" .}}hi{{end}}", error: "{{block}} is not supported"),  // unsupported in Flotilla
        GoTemplateCase("no value action", "{{and nil 1}}", output: "<no value>"),
        GoTemplateCase("nil var", "{{$x := and nil 1}}{{$x}}", output: "<no value>"),
        GoTemplateCase("lone close", "a }} b", output: "a }} b"),
        GoTemplateCase("unclosed", "{{.X", error: "template: F:1: unclosed action"),
        GoTemplateCase("unclosed with newline", "{{.X\n", error: "template: F:2: unclosed action started at F:1"),
        GoTemplateCase("unclosed comment", "{{/* x", error: "template: F:1: unclosed comment"),
        GoTemplateCase("comment ends before delim", "{{/* x */ .X}}", error: "template: F:1: comment ends before closing delimiter"),
        GoTemplateCase("undefined function", "{{nope 1}}", error: "template: F:1: function \"nope\" not defined"),
        GoTemplateCase("undefined variable", "{{$nope}}", error: "template: F:1: undefined variable \"$nope\""),
        GoTemplateCase("assign undeclared", "{{$x = 1}}", error: "template: F:1:7: executing \"F\" at <1>: undefined variable: $x"),
        GoTemplateCase("end without action", "{{end}}", error: "template: F:1: unexpected {{end}}"),
        GoTemplateCase("else at root", "{{else}}", error: "template: F:1: unexpected {{else}}"),
        GoTemplateCase("missing end", "{{if .X}}x", error: "template: F:1: unexpected EOF"),
        GoTemplateCase("bad character", "{{.X-1}}", error: "template: F:1: bad character U+002D '-'"),
        GoTemplateCase("bad number", "{{3k}}", error: "template: F:1: bad number syntax: \"3k\""),
        GoTemplateCase("integer overflow", "{{99999999999999999999}}", error: "template: F:1: integer overflow: \"99999999999999999999\""),
        GoTemplateCase("leading zero not octal", "{{08}}", error: "template: F:1: integer overflow: \"08\""),
        GoTemplateCase("unterminated quote", "{{\"abc}}", error: "template: F:1: unterminated quoted string"),
        GoTemplateCase("unterminated raw", "{{`abc}}", error: "template: F:1: unterminated raw quoted string"),
        GoTemplateCase("unexpected paren", "{{.X)}}", error: "template: F:1: unexpected \")\" in command"),
        GoTemplateCase("unclosed paren", "{{(.X}}", error: "template: F:1: unclosed left paren"),
        GoTemplateCase("empty action", "{{}}", error: "template: F:1: missing value for command"),
        GoTemplateCase("only space action", "{{ }}", error: "template: F:1: missing value for command"),
        GoTemplateCase("non executable pipeline", "{{.X | \"y\"}}", error: "template: F:1: non executable command in pipeline stage 2"),
        GoTemplateCase("dot after string", "{{\"a\".b}}", error: "template: F:1: unexpected . after term \"\\\"a\\\"\""),
        GoTemplateCase("unrecognized char", "{{.X ^ 1}}", error: "template: F:1: unexpected \"^\" in operand"),
        GoTemplateCase("char in action", "{{.X , 1}}", error: "template: F:1: unexpected \",\" in operand"),
        GoTemplateCase("multi-line action", "{{ if\n .X }}yes{{\n end }}", output: "yes"),
        GoTemplateCase("crlf text", "a\r\n{{- .X -}}\r\nb", output: "axb"),
        GoTemplateCase("trim marker needs space", "{{-3}}", output: "-3"),
        GoTemplateCase("trim right needs space", "{{3-}}", error: "template: F:1: bad number syntax: \"3-\""),
        GoTemplateCase("percent in field name error", "{{index . 1}}", error: "template: F:1:2: executing \"F\" at <index . 1>: error calling index: value has type int; should be string"),
        GoTemplateCase("big output range", "{{range 10}}{{range 10}}x{{end}}{{end}}", output: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),  // Go 1.22+
        GoTemplateCase("if decl visible in else", "{{with $x := .E}}a{{else}}[{{$x}}]{{end}}", output: "[]"),
        GoTemplateCase("if decl in if", "{{if $x := .X}}{{$x}}{{end}}", output: "x"),
        GoTemplateCase("$ inside range", "{{range .}}{{$.X}}{{end}}", data: ["X": "x", "Y": "y"], output: "xx"),
        GoTemplateCase("range shadow", "{{$x := 1}}{{range $x := .}}{{$x}}{{end}}{{$x}}", data: GoTemplateExecTests.small, output: "1231"),
        GoTemplateCase("range else with vars", "{{range $k, $v := .}}{{$k}}{{else}}none{{end}}", data: [:], output: "none"),
        GoTemplateCase("deep parens", "{{((((((1))))))}}", output: "1"),
        GoTemplateCase("pipeline into len", "{{.S | len}}", output: "3"),
        GoTemplateCase("pipeline into index", "{{\"X\" | index .}}", output: "x"),
        GoTemplateCase("pipeline into slice", "{{1 | slice .S}}", output: "yz"),
        GoTemplateCase("pipeline into eq", "{{\"x\" | eq .X}}", output: "true"),
        GoTemplateCase("pipeline into not", "{{.E | not}}", output: "true"),
        GoTemplateCase("pipeline into html", "{{.html | html}}", output: "&lt;b&gt;&#34;hi&#34; &amp; &#39;bye&#39;&lt;/b&gt;"),
        GoTemplateCase("not two args", "{{not 1 2}}", error: "template: F:1:2: executing \"F\" at <not>: wrong number of args for not: want 1 got 2"),
        GoTemplateCase("len no args", "{{len}}", error: "template: F:1:2: executing \"F\" at <len>: wrong number of args for len: want 1 got 0"),
        GoTemplateCase("lt one arg", "{{lt 1}}", error: "template: F:1:2: executing \"F\" at <lt>: wrong number of args for lt: want 2 got 1"),
        GoTemplateCase("print func as arg", "{{print len}}", error: "template: F:1:8: executing \"F\" at <len>: wrong number of args for len: want 1 got 0"),
        GoTemplateCase("printf no args", "{{printf}}", error: "template: F:1:2: executing \"F\" at <printf>: wrong number of args for printf: want at least 1 got 0"),
        GoTemplateCase("printf nil format", "{{printf nil}}", error: "template: F:1:9: executing \"F\" at <nil>: cannot assign nil to string"),
        GoTemplateCase("printf int format", "{{printf 3}}", error: "template: F:1:9: executing \"F\" at <3>: expected string; found 3"),
        GoTemplateCase("printf field int format", "{{printf (len .S)}}", error: "template: F:1:14: executing \"F\" at <.S>: wrong type for value; expected string; got int"),
        GoTemplateCase("printf dot format", "{{printf .}}", error: "template: F:1:9: executing \"F\" at <.>: wrong type for value; expected string; got map[string]string"),
        GoTemplateCase("printf missing format field", "{{printf .nope}}", error: "template: F:1:9: executing \"F\" at <.nope>: map has no entry for key \"nope\""),
        GoTemplateCase("variable chain missing", "{{$x := .X}}{{$x.y.z}}", error: "template: F:1:16: executing \"F\" at <$x.y.z>: can't evaluate field y in type string"),
        GoTemplateCase("chain from function", "{{(printf \"x\").y}}", error: "template: F:1:10: executing \"F\" at <\"x\">: can't evaluate field y in type string"),
        GoTemplateCase("chain from nil var", "{{$x := and nil 1}}{{$x.y}}", error: "template: F:1:23: executing \"F\" at <$x.y>: nil data; no entry for key \"y\""),
        GoTemplateCase("index uint8 compare", "{{if eq (index .S 0) 'x'}}yes{{end}}", output: "yes"),
        GoTemplateCase("index uint8 print", "{{index .S 0 | printf \"%c\"}}", output: "x"),
        GoTemplateCase("index string of uint8", "{{index .S (index \"\\x01\" 0)}}", output: "121"),
        GoTemplateCase("with uint8", "{{with index \"\\x00\" 0}}t{{else}}f{{end}}", output: "f"),
        GoTemplateCase("range uint8", "{{range index \"\\x02\" 0}}.{{end}}", output: ".."),  // Go 1.22+
        GoTemplateCase("html multi", "{{html 1 \"<\" 2}}", output: "1&lt;2"),
        GoTemplateCase("js unicode", "{{js \"é\\u2028\\x00<\"}}", output: "é\\u2028\\u0000\\u003C"),
        GoTemplateCase("urlquery unicode", "{{urlquery \"é ~\"}}", output: "%C3%A9+~"),
        GoTemplateCase("print bytes", "{{print (slice \"é\" 0 1) \"|\" (slice \"é\" 1)}}", output: "�|�"),
        GoTemplateCase("eq strings bytes", "{{eq (slice \"é\" 0 1) \"\\xc3\"}}", output: "true"),
        GoTemplateCase("lt strings bytes", "{{lt \"Z\" \"a\"}} {{lt \"é\" \"z\"}}", output: "true false"),
        GoTemplateCase("if complex zero", "{{if 0i}}y{{else}}n{{end}}", output: "n"),
        GoTemplateCase("negative float", "{{-1.5}} {{+2.5}} {{.5}} {{5.}}", output: "-1.5 2.5 0.5 5"),
        GoTemplateCase("float print", "{{1e21}} {{1e20}} {{123456789.0}} {{0.000001}} {{1e-7}}", output: "1e+21 1e+20 1.23456789e+08 1e-06 1e-07"),
        GoTemplateCase("char print", "{{'\\x41'}} {{'\\u00e9'}} {{'\\101'}}", output: "65 233 65"),
        GoTemplateCase("bad char escape", "{{'\\q'}}", error: "template: F:1: invalid syntax"),
        GoTemplateCase("bad string escape", "{{\"\\q\"}}", error: "template: F:1: invalid syntax"),
        GoTemplateCase("string with quote escape", "{{\"a\\\"b\"}}", output: "a\"b"),
        GoTemplateCase("raw string with cr", "{{`a\rb`}}", output: "ab"),
        GoTemplateCase("comment with action inside", "{{/* {{.X}} */}}x", output: "x"),
        GoTemplateCase("space before comment", "{{ /* c */ }}", error: "template: F:1: unexpected \"/\" in command"),
        GoTemplateCase("trim only left marker spaces", "a \t\n{{- .X}}", output: "ax"),
        GoTemplateCase("trim right multiple actions", "{{.X -}} \n {{- .X}}", output: "xx"),
        GoTemplateCase("assignment in with", "{{$x := 1}}{{with .X}}{{$x = .}}{{end}}{{$x}}", output: "x"),
        GoTemplateCase("declare shadow in if", "{{$x := 1}}{{if true}}{{$x := 2}}{{$x}}{{end}}{{$x}}", output: "21"),
        GoTemplateCase("break in with in range", "{{range .}}{{with .}}{{break}}{{end}}x{{end}}y", data: GoTemplateExecTests.small, output: "y"),
        GoTemplateCase("continue nested range", "{{range $a := .}}{{range $b := $}}{{if eq $b \"2\"}}{{continue}}{{end}}{{$a}}{{$b}} {{end}}{{end}}", data: GoTemplateExecTests.small, output: "11 13 21 23 31 33 "),
        GoTemplateCase("long token in error", "{{.X \"a very long string here\" }}", error: "template: F:1:2: executing \"F\" at <.X>: X is not a method but has arguments"),
        GoTemplateCase("unexpected long token", "{{if}}", error: "template: F:1: missing value for if"),
        GoTemplateCase("number then letter", "{{1a}}", error: "template: F:1: bad number syntax: \"1a\""),
        GoTemplateCase("complex in eq", "{{eq 1+2i 1+2i}}", output: "true"),
        GoTemplateCase("missing key deep line", "a\nb\n  {{if true}}\n{{.nope}}{{end}}", error: "template: F:4:2: executing \"F\" at <.nope>: map has no entry for key \"nope\""),
    ]
}
