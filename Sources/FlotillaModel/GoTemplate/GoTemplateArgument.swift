/// An operand of a command (`Node`s of `text/template/parse` that can stand in a command).
indirect enum GoTemplateArgument: Sendable {
    /// `.a.b`: keys looked up from dot.
    case field(pos: Int, [String])
    /// `$x.a.b`: `names[0]` is the variable (`$` included).
    case variable(pos: Int, [String])
    /// `(pipeline).a.b` or `function.a`: keys looked up from a computed value.
    case chain(pos: Int, GoTemplateArgument, [String])
    /// A function name.
    case identifier(pos: Int, String)
    case dot(pos: Int)
    case nilConstant(pos: Int)
    case bool(pos: Int, Bool)
    case number(pos: Int, GoTemplateNumber)
    /// `quoted` is the source text, as Go prints it back.
    case string(pos: Int, quoted: String, value: [UInt8])
    /// A parenthesized pipeline.
    case pipe(GoTemplatePipe)

    var pos: Int {
        switch self {
        case .field(let p, _), .variable(let p, _), .chain(let p, _, _), .identifier(let p, _), .dot(let p),
            .nilConstant(let p), .bool(let p, _), .number(let p, _), .string(let p, _, _):
            return p
        case .pipe(let pipe): return pipe.pos
        }
    }

    /// Go's `String()` of the node.
    var goString: String {
        switch self {
        case .field(_, let names): return names.map { "." + $0 }.joined()
        case .variable(_, let names): return names.joined(separator: ".")
        case .chain(_, let node, let names):
            let head = if case .pipe(let p) = node { "(\(p.goString))" } else { node.goString }
            return head + names.map { "." + $0 }.joined()
        case .identifier(_, let name): return name
        case .dot: return "."
        case .nilConstant: return "nil"
        case .bool(_, let b): return b ? "true" : "false"
        case .number(_, let n): return n.text
        case .string(_, let quoted, _): return quoted
        case .pipe(let p): return p.goString
        }
    }

    /// Constants cannot start a later stage of a pipeline (they take no argument).
    var isConstant: Bool {
        switch self {
        case .bool, .dot, .nilConstant, .number, .string: return true
        default: return false
        }
    }
}
