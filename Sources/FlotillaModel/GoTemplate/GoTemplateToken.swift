/// One item of Go's template lexer (`text/template/parse/lex.go`): its kind, where it starts
/// (a byte offset, as Go counts positions) and its text.
struct GoTemplateToken: Sendable {
    enum Kind: Sendable, Equatable {
        case error, bool, char, charConstant, complex, assign, declare, eof, field, identifier
        case leftDelim, leftParen, number, pipe, rawString, rightDelim, rightParen, space, string, text, variable
        // Keywords: Go's lexer emits these for the words below, and prints them as `<word>`.
        case block, breakKeyword, continueKeyword, dot, define, elseKeyword, end, ifKeyword, nilKeyword
        case range, template, with

        var isKeyword: Bool {
            switch self {
            case .block, .breakKeyword, .continueKeyword, .dot, .define, .elseKeyword, .end, .ifKeyword,
                .nilKeyword, .range, .template, .with:
                return true
            default:
                return false
            }
        }

        /// Go's keyword table (`key` in lex.go); `.` is there because a lone dot lexes as one.
        static let keywords: [String: Kind] = [
            ".": .dot, "block": .block, "break": .breakKeyword, "continue": .continueKeyword, "define": .define,
            "else": .elseKeyword, "end": .end, "if": .ifKeyword, "range": .range, "nil": .nilKeyword,
            "template": .template, "with": .with,
        ]
    }

    var kind: Kind
    /// Byte offset of the token's first byte in the template.
    var pos: Int
    /// The token's text; for `.error`, the error message.
    var value: String
    /// 1 + the newlines before the token.
    var line: Int

    /// How Go's parser names the token in "unexpected …" errors (`item.String`).
    var goDescription: String {
        switch kind {
        case .eof: return "EOF"
        case .error: return value
        case let k where k.isKeyword: return "<\(value)>"
        default:
            // Go: `%.10q...` when the value is over 10 bytes (the precision counts runes).
            if value.utf8.count > 10 {
                let head = String(String.UnicodeScalarView(value.unicodeScalars.prefix(10)))
                return GoQuote.quote(Array(head.utf8)) + "..."
            }
            return GoQuote.quote(Array(value.utf8))
        }
    }
}
