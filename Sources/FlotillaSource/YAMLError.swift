/// What libyaml reported when it could not read, scan or parse a stream: its own `problem` and
/// `context` texts and where they are (lines and columns 1-based, as editors count them).
struct YAMLError: Error, Sendable, CustomStringConvertible {
    enum Stage: String, Sendable {
        case memory, reader, scanner, parser
    }

    var stage: Stage
    /// libyaml's `problem`: what is wrong ("did not find expected ',' or ']'").
    var problem: String
    /// libyaml's `context`, when it gave one ("while parsing a flow sequence").
    var context: String?
    var line: Int
    var column: Int
    /// Where the construct named by `context` starts.
    var contextLine = 0
    var contextColumn = 0

    var description: String {
        var s = "\(problem) at line \(line), column \(column)"
        if let context { s += ", \(context) at line \(contextLine), column \(contextColumn)" }
        return s
    }
}
