/// Go's template lexer (`text/template/parse/lex.go`), state for state, over the template's UTF-8
/// bytes so that positions are Go's byte offsets. It yields every token up to `.eof` or the first
/// `.error`, after which Go's lexer stops too.
struct GoTemplateLexer {
    private let input: [UInt8]
    private var pos = 0
    private var start = 0
    private var parenDepth = 0
    private var tokens: [GoTemplateToken] = []
    /// Newlines counted up to `lineCursor`, so a token's line costs no rescan.
    private var lineCursor = 0
    private var lineCount = 1
    /// Width of the rune `next` read last, for `backup` (0 at end of input, as in Go).
    private var lastWidth = 0

    private enum State { case text, leftDelim, comment, rightDelim, insideAction, space, identifier, field, variable, char, number, quote, rawQuote }

    static func tokens(of input: [UInt8]) -> [GoTemplateToken] {
        var lexer = GoTemplateLexer(input: input)
        lexer.run()
        return lexer.tokens
    }

    private init(input: [UInt8]) { self.input = input }

    private mutating func run() {
        var state: State? = .text
        while let s = state { state = step(s) }
    }

    private mutating func step(_ s: State) -> State? {
        switch s {
        case .text: return lexText()
        case .leftDelim: return lexLeftDelim()
        case .comment: return lexComment()
        case .rightDelim: return lexRightDelim()
        case .insideAction: return lexInsideAction()
        case .space: return lexSpace()
        case .identifier: return lexIdentifier()
        case .field: return lexFieldOrVariable(.field)
        case .variable: return atTerminator() ? emitting(.variable) : lexFieldOrVariable(.variable)
        case .char: return lexQuoted(close: UInt8(ascii: "'"), kind: .charConstant, error: "unterminated character constant")
        case .number: return lexNumber()
        case .quote: return lexQuoted(close: UInt8(ascii: "\""), kind: .string, error: "unterminated quoted string")
        case .rawQuote: return lexRawQuote()
        }
    }

    // MARK: Reading

    private static let eof: UInt32 = 0xFFFF_FFFF

    private mutating func next() -> UInt32 {
        guard pos < input.count else {
            lastWidth = 0
            return Self.eof
        }
        let (r, w) = GoUTF8.decode(input, at: pos)
        pos += w
        lastWidth = w
        return r
    }

    private func peek() -> UInt32 {
        pos < input.count ? GoUTF8.decode(input, at: pos).rune : Self.eof
    }

    /// Steps back over the rune just read (nothing at end of input, as in Go).
    private mutating func backup() {
        pos -= lastWidth
        lastWidth = 0
    }

    private mutating func accept(_ valid: String) -> Bool {
        let r = next()
        if r != Self.eof, valid.unicodeScalars.contains(where: { $0.value == r }) { return true }
        backup()
        return false
    }

    private mutating func acceptRun(_ valid: String) {
        while accept(valid) {}
    }

    private func hasPrefix(_ s: String, at i: Int) -> Bool {
        let p = Array(s.utf8)
        return i + p.count <= input.count && Array(input[i..<i + p.count]) == p
    }

    private func line(at offset: Int) -> Int {
        var count = lineCount
        var i = lineCursor
        while i < offset {
            if input[i] == 0x0A { count += 1 }
            i += 1
        }
        return count
    }

    private mutating func emit(_ kind: GoTemplateToken.Kind) {
        let l = line(at: start)
        (lineCursor, lineCount) = (start, l)
        tokens.append(GoTemplateToken(kind: kind, pos: start, value: String(decoding: input[start..<pos], as: UTF8.self), line: l))
        start = pos
    }

    private mutating func emitting(_ kind: GoTemplateToken.Kind) -> State? {
        emit(kind)
        return .insideAction
    }

    private mutating func ignore() { start = pos }

    private mutating func error(_ message: String) -> State? {
        let l = line(at: start)
        tokens.append(GoTemplateToken(kind: .error, pos: start, value: message, line: l))
        return nil
    }

    // MARK: Spaces and trim markers

    private static func isSpace(_ r: UInt32) -> Bool { r == 0x20 || r == 0x09 || r == 0x0D || r == 0x0A }
    private static func isAlphaNumeric(_ r: UInt32) -> Bool { r == 0x5F || GoUTF8.isLetter(r) || GoUTF8.isDigit(r) }

    /// `{{- ` trims the text before; the space is required so that `{{-3}}` stays a number.
    private func hasLeftTrimMarker(at i: Int) -> Bool {
        i + 1 < input.count && input[i] == UInt8(ascii: "-") && Self.isSpace(UInt32(input[i + 1]))
    }

    private func hasRightTrimMarker(at i: Int) -> Bool {
        i + 1 < input.count && Self.isSpace(UInt32(input[i])) && input[i + 1] == UInt8(ascii: "-")
    }

    private func atRightDelim() -> (delim: Bool, trim: Bool) {
        if hasRightTrimMarker(at: pos) && hasPrefix("}}", at: pos + 2) { return (true, true) }
        return (hasPrefix("}}", at: pos), false)
    }

    private func spaceRun(from i: Int, backward: Bool) -> Int {
        var n = 0
        if backward {
            while i - n - 1 >= start && Self.isSpace(UInt32(input[i - n - 1])) { n += 1 }
        } else {
            while i + n < input.count && Self.isSpace(UInt32(input[i + n])) { n += 1 }
        }
        return n
    }

    // MARK: States

    private mutating func lexText() -> State? {
        var x = pos
        while x + 1 < input.count && !(input[x] == UInt8(ascii: "{") && input[x + 1] == UInt8(ascii: "{")) { x += 1 }
        guard x + 1 < input.count else {
            pos = input.count
            if pos > start { emit(.text) }
            emit(.eof)
            return nil
        }
        let trim = hasLeftTrimMarker(at: x + 2) ? spaceRun(from: x, backward: true) : 0
        pos = x - trim
        if pos > start { emit(.text) }
        pos = x
        ignore()
        return .leftDelim
    }

    private mutating func lexLeftDelim() -> State? {
        pos += 2
        let afterMarker = hasLeftTrimMarker(at: pos) ? 2 : 0
        if hasPrefix("/*", at: pos + afterMarker) {
            pos += afterMarker
            ignore()
            return .comment
        }
        emit(.leftDelim)
        pos += afterMarker
        ignore()
        parenDepth = 0
        return .insideAction
    }

    private mutating func lexComment() -> State? {
        pos += 2
        var i = pos
        while i + 1 < input.count && !(input[i] == UInt8(ascii: "*") && input[i + 1] == UInt8(ascii: "/")) { i += 1 }
        guard i + 1 < input.count else { return error("unclosed comment") }
        pos = i + 2
        let (delim, trim) = atRightDelim()
        guard delim else { return error("comment ends before closing delimiter") }
        pos += (trim ? 2 : 0) + 2
        if trim { pos += spaceRun(from: pos, backward: false) }
        ignore()
        return .text
    }

    private mutating func lexRightDelim() -> State? {
        let trim = hasRightTrimMarker(at: pos)
        if trim {
            pos += 2
            ignore()
        }
        pos += 2
        emit(.rightDelim)
        if trim {
            pos += spaceRun(from: pos, backward: false)
            ignore()
        }
        return .text
    }

    private mutating func lexInsideAction() -> State? {
        if atRightDelim().delim {
            return parenDepth == 0 ? .rightDelim : error("unclosed left paren")
        }
        let r = next()
        switch r {
        case Self.eof: return error("unclosed action")
        case _ where Self.isSpace(r):
            backup()  // the space may start " -}}"
            return .space
        case 0x3D: emit(.assign)  // =
        case 0x3A:  // :
            guard next() == 0x3D else { return error("expected :=") }
            emit(.declare)
        case 0x7C: emit(.pipe)  // |
        case 0x22: return .quote
        case 0x60: return .rawQuote
        case 0x24: return .variable  // $
        case 0x27: return .char  // '
        case 0x2E where pos < input.count && !(0x30...0x39).contains(input[pos]):
            return .field  // ".x"; ".5" is a number
        case 0x2E, 0x2B, 0x2D, 0x30...0x39:
            backup()
            return .number
        case _ where Self.isAlphaNumeric(r):
            backup()
            return .identifier
        case 0x28:
            emit(.leftParen)
            parenDepth += 1
        case 0x29:
            emit(.rightParen)
            parenDepth -= 1
            if parenDepth < 0 { return error("unexpected right paren \(GoQuote.unicodeDescription(r))") }
        case _ where r < 0x80 && GoUTF8.isPrint(r):
            emit(.char)
        default:
            return error("unrecognized character in action: \(GoQuote.unicodeDescription(r))")
        }
        return .insideAction
    }

    private mutating func lexSpace() -> State? {
        var spaces = 0
        while Self.isSpace(peek()) {
            _ = next()
            spaces += 1
        }
        // A trim-marked right delimiter starts with a space: leave it for lexRightDelim.
        if hasRightTrimMarker(at: pos - 1) && hasPrefix("}}", at: pos + 1) {
            pos -= 1
            if spaces == 1 { return .rightDelim }
        }
        emit(.space)
        return .insideAction
    }

    private mutating func lexIdentifier() -> State? {
        var r = next()
        while Self.isAlphaNumeric(r) { r = next() }
        backup()
        guard atTerminator() else { return error("bad character \(GoQuote.unicodeDescription(r))") }
        let word = String(decoding: input[start..<pos], as: UTF8.self)
        if let keyword = GoTemplateToken.Kind.keywords[word] {
            emit(keyword)
        } else if word == "true" || word == "false" {
            emit(.bool)
        } else {
            emit(.identifier)
        }
        return .insideAction
    }

    private mutating func lexFieldOrVariable(_ kind: GoTemplateToken.Kind) -> State? {
        if atTerminator() { return emitting(kind == .variable ? .variable : .dot) }
        var r = next()
        while Self.isAlphaNumeric(r) { r = next() }
        backup()
        guard atTerminator() else { return error("bad character \(GoQuote.unicodeDescription(r))") }
        return emitting(kind)
    }

    /// Whether what follows may end an identifier: this is what splits `.X.Y` into two fields and
    /// rejects `$x+2`.
    private func atTerminator() -> Bool {
        let r = peek()
        if Self.isSpace(r) { return true }
        switch r {
        case Self.eof, 0x2E, 0x2C, 0x7C, 0x3A, 0x29, 0x28: return true
        default: return hasPrefix("}}", at: pos)
        }
    }

    private mutating func lexQuoted(close: UInt8, kind: GoTemplateToken.Kind, error message: String) -> State? {
        while true {
            let r = next()
            if r == 0x5C {
                let e = next()
                if e != Self.eof && e != 0x0A { continue }
                return error(message)
            }
            if r == Self.eof || r == 0x0A { return error(message) }
            if r == UInt32(close) { break }
        }
        return emitting(kind)
    }

    private mutating func lexRawQuote() -> State? {
        while true {
            let r = next()
            if r == Self.eof { return error("unterminated raw quoted string") }
            if r == 0x60 { break }
        }
        return emitting(.rawString)
    }

    private mutating func lexNumber() -> State? {
        guard scanNumber() else { return badNumber() }
        let sign = peek()
        if sign == 0x2B || sign == 0x2D {
            // Complex: 1+2i, no spaces, must end in 'i'.
            guard scanNumber(), input[pos - 1] == UInt8(ascii: "i") else { return badNumber() }
            return emitting(.complex)
        }
        return emitting(.number)
    }

    private mutating func badNumber() -> State? {
        error("bad number syntax: \(GoQuote.quote(Array(input[start..<pos])))")
    }

    /// Go's deliberately loose number scanner: the parser (via strconv) rejects what is wrong.
    private mutating func scanNumber() -> Bool {
        _ = accept("+-")
        var digits = "0123456789_"
        if accept("0") {
            if accept("xX") {
                digits = "0123456789abcdefABCDEF_"
            } else if accept("oO") {
                digits = "01234567_"
            } else if accept("bB") {
                digits = "01_"
            }
        }
        acceptRun(digits)
        if accept(".") { acceptRun(digits) }
        if digits.count == 11 && accept("eE") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        if digits.count == 23 && accept("pP") {
            _ = accept("+-")
            acceptRun("0123456789_")
        }
        _ = accept("i")
        if Self.isAlphaNumeric(peek()) {
            _ = next()
            return false
        }
        return true
    }
}
