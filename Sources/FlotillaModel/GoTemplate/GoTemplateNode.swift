/// A node of a template's parse tree (`text/template/parse/node.go`), less what a leaf string
/// cannot use (`define`, `template`, `block`; comments, which Go drops too).
indirect enum GoTemplateNode: Sendable {
    case text(pos: Int, [UInt8])
    /// `{{pipeline}}`: prints the pipeline's value unless it declares variables. `pos` is that of
    /// the action's first token.
    case action(pos: Int, GoTemplatePipe)
    case ifNode(GoTemplateBranch)
    case rangeNode(GoTemplateBranch)
    case withNode(GoTemplateBranch)
    case breakNode(pos: Int)
    case continueNode(pos: Int)

    var pos: Int {
        switch self {
        case .text(let p, _), .action(let p, _), .breakNode(let p), .continueNode(let p): return p
        case .ifNode(let b), .rangeNode(let b), .withNode(let b): return b.pipe.pos
        }
    }

    /// Go's `String()` of the node, which its errors quote; `quoteText` writes text as `%q`, as
    /// Go's parse tests do.
    func goString(quoteText: Bool = false) -> String {
        switch self {
        case .text(_, let t): return quoteText ? GoQuote.quote(t) : String(decoding: t, as: UTF8.self)
        case .action(_, let pipe): return "{{\(pipe.goString)}}"
        case .ifNode(let b): return b.goString(keyword: "if", quoteText: quoteText)
        case .rangeNode(let b): return b.goString(keyword: "range", quoteText: quoteText)
        case .withNode(let b): return b.goString(keyword: "with", quoteText: quoteText)
        case .breakNode: return "{{break}}"
        case .continueNode: return "{{continue}}"
        }
    }

    static func goString(_ list: [GoTemplateNode], quoteText: Bool = false) -> String {
        list.map { $0.goString(quoteText: quoteText) }.joined()
    }
}

/// The shared shape of `if`, `range` and `with`: a pipeline, a body, and an optional `else`.
struct GoTemplateBranch: Sendable {
    var pipe: GoTemplatePipe
    var list: [GoTemplateNode]
    var elseList: [GoTemplateNode]?

    func goString(keyword: String, quoteText: Bool) -> String {
        var s = "{{\(keyword) \(pipe.goString)}}" + GoTemplateNode.goString(list, quoteText: quoteText)
        if let elseList { s += "{{else}}" + GoTemplateNode.goString(elseList, quoteText: quoteText) }
        return s + "{{end}}"
    }
}
