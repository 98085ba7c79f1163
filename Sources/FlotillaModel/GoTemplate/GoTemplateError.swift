/// A parse or execution error of one template, worded as Go's `text/template` words it, so that a
/// message reads as KubeStellar's does for the same template. The template's name (the field's
/// path) is put in only when the message is written, so that one parse serves every field that
/// holds the same text.
struct GoTemplateError: Error, Sendable {
    enum Location: Sendable {
        /// A parse error, at a line; `actionLine` when an unclosed action began on another line.
        case line(Int, actionLine: Int? = nil)
        /// An execution error at a node: its byte offset and Go's `String()` of it.
        case node(pos: Int, context: String)
    }

    var location: Location?
    /// What went wrong, e.g. `map has no entry for key "x"`.
    var detail: String
    /// The map key that was missing (Go's `missingkey=error`), when that is the problem.
    var missingKey: String?

    init(_ detail: String, at location: Location? = nil, missingKey: String? = nil) {
        self.detail = detail
        self.location = location
        self.missingKey = missingKey
    }

    /// Go's message: `template: NAME:LINE: …` (parse) or
    /// `template: NAME:LINE:COL: executing "NAME" at <NODE>: …` (execution).
    func message(name: String, source: [UInt8]) -> String {
        switch location {
        case .line(let line, let actionLine):
            var extra = ""
            if let actionLine {
                // Go avoids "unclosed action in action started at".
                extra = detail.hasSuffix(" action") ? " started at \(name):\(actionLine)" : " in action started at \(name):\(actionLine)"
            }
            return "template: \(name):\(line): \(detail)\(extra)"
        case .node(let pos, let context):
            let before = source[..<min(pos, source.count)]
            let line = 1 + before.lazy.filter { $0 == 0x0A }.count
            let column = before.lastIndex(of: 0x0A).map { pos - $0 - 1 } ?? pos
            return "template: \(name):\(line):\(column): executing \(GoQuote.quote(name)) at <\(context)>: \(detail)"
        case nil:
            return "template: \(name): \(detail)"
        }
    }
}
