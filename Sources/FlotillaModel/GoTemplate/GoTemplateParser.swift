/// Go's template parser (`text/template/parse/parse.go`): the same grammar, checks and error
/// messages, over the tokens of ``GoTemplateLexer``. `define`, `template` and `block` are refused:
/// KubeStellar parses each leaf string as a template of its own, so there is nothing to call.
struct GoTemplateParser {
    private let tokens: [GoTemplateToken]
    private var index = 0
    /// The furthest token read: Go reports parse errors at the line of the last token it lexed.
    private var furthest = 0
    /// Variables in scope, `$` first (Go's `Tree.vars`).
    private var vars = ["$"]
    private var rangeDepth = 0
    private var actionLine = 0
    /// Nesting of parentheses and control structures, bounded so that a hostile leaf string
    /// cannot exhaust the stack (Go bounds parentheses the same way).
    private var depth = 0
    private static let maxDepth = 1000

    private enum Item {
        case node(GoTemplateNode)
        case end
        case elseItem

        var goString: String {
            switch self {
            case .node(let n): return n.goString()
            case .end: return "{{end}}"
            case .elseItem: return "{{else}}"
            }
        }
    }

    /// Parses a template's text.
    static func parse(_ source: [UInt8]) throws(GoTemplateError) -> [GoTemplateNode] {
        var parser = GoTemplateParser(tokens: GoTemplateLexer.tokens(of: source))
        return try parser.parseRoot()
    }

    private init(tokens: [GoTemplateToken]) {
        self.tokens = tokens
    }

    // MARK: Tokens

    private mutating func next() -> GoTemplateToken {
        let t = tokens[min(index, tokens.count - 1)]
        furthest = max(furthest, min(index, tokens.count - 1))
        index += 1
        return t
    }

    private mutating func backup() { index -= 1 }

    private mutating func peek() -> GoTemplateToken {
        let t = next()
        backup()
        return t
    }

    private mutating func nextNonSpace() -> GoTemplateToken {
        var t = next()
        while t.kind == .space { t = next() }
        return t
    }

    private mutating func peekNonSpace() -> GoTemplateToken {
        let t = nextNonSpace()
        backup()
        return t
    }

    private mutating func expect(_ kind: GoTemplateToken.Kind, _ context: String) throws(GoTemplateError) -> GoTemplateToken {
        let t = nextNonSpace()
        if t.kind != kind { throw unexpected(t, context) }
        return t
    }

    // MARK: Errors

    private func error(_ message: String) -> GoTemplateError {
        GoTemplateError(message, at: .line(tokens[furthest].line))
    }

    private func unexpected(_ token: GoTemplateToken, _ context: String) -> GoTemplateError {
        guard token.kind == .error else { return error("unexpected \(token.goDescription) in \(context)") }
        let started = actionLine != 0 && actionLine != token.line ? actionLine : nil
        return GoTemplateError(token.value, at: .line(tokens[furthest].line, actionLine: started))
    }

    private func unsupported(_ keyword: String) -> GoTemplateError {
        error(
            "{{\(keyword)}} is not supported: each field is a template of its own (as KubeStellar parses it), "
                + "so there are no other templates to define or call")
    }

    private mutating func nest() throws(GoTemplateError) {
        depth += 1
        if depth > Self.maxDepth { throw error("max expression depth exceeded") }
    }

    // MARK: Structure

    private mutating func parseRoot() throws(GoTemplateError) -> [GoTemplateNode] {
        var root: [GoTemplateNode] = []
        while peek().kind != .eof {
            if peek().kind == .leftDelim {
                let save = index
                _ = next()
                if nextNonSpace().kind == .define { throw unsupported("define") }
                index = save
            }
            switch try textOrAction() {
            case .node(let n): root.append(n)
            case let other: throw error("unexpected \(other.goString)")
            }
        }
        return root
    }

    private mutating func itemList() throws(GoTemplateError) -> (list: [GoTemplateNode], next: Item) {
        var list: [GoTemplateNode] = []
        while peekNonSpace().kind != .eof {
            let item = try textOrAction()
            guard case .node(let n) = item else { return (list, item) }
            list.append(n)
        }
        throw error("unexpected EOF")
    }

    private mutating func textOrAction() throws(GoTemplateError) -> Item {
        let token = nextNonSpace()
        switch token.kind {
        case .text:
            return .node(.text(pos: token.pos, Array(token.value.utf8)))
        case .leftDelim:
            actionLine = token.line
            defer { actionLine = 0 }
            return try action()
        default:
            throw unexpected(token, "input")
        }
    }

    private mutating func action() throws(GoTemplateError) -> Item {
        let token = nextNonSpace()
        switch token.kind {
        case .block: throw unsupported("block")
        case .template: throw unsupported("template")
        case .breakKeyword, .continueKeyword:
            let word = token.kind == .breakKeyword ? "break" : "continue"
            let t = nextNonSpace()
            if t.kind != .rightDelim { throw unexpected(t, "{{\(word)}}") }
            if rangeDepth == 0 { throw error("{{\(word)}} outside {{range}}") }
            return .node(token.kind == .breakKeyword ? .breakNode(pos: token.pos) : .continueNode(pos: token.pos))
        case .elseKeyword:
            // "{{else if" and "{{else with" leave the keyword for parseControl.
            let p = peekNonSpace()
            if p.kind != .ifKeyword && p.kind != .with { _ = try expect(.rightDelim, "else") }
            return .elseItem
        case .end:
            _ = try expect(.rightDelim, "end")
            return .end
        case .ifKeyword: return .node(.ifNode(try parseControl("if")))
        case .range: return .node(.rangeNode(try parseControl("range")))
        case .with: return .node(.withNode(try parseControl("with")))
        default:
            backup()
            let first = peek()
            // Variables declared here stay in scope until the enclosing {{end}}.
            return .node(.action(pos: first.pos, try pipeline("command", end: .rightDelim)))
        }
    }

    private mutating func parseControl(_ context: String) throws(GoTemplateError) -> GoTemplateBranch {
        try nest()
        defer { depth -= 1 }
        let mark = vars.count
        defer { vars.removeLast(vars.count - mark) }
        let pipe = try pipeline(context, end: .rightDelim)
        if context == "range" { rangeDepth += 1 }
        let (list, next) = try itemList()
        if context == "range" { rangeDepth -= 1 }
        var elseList: [GoTemplateNode]?
        if case .elseItem = next {
            if context == "if" && peek().kind == .ifKeyword {
                _ = self.next()
                elseList = [.ifNode(try parseControl("if"))]
            } else if context == "with" && peek().kind == .with {
                _ = self.next()
                elseList = [.withNode(try parseControl("with"))]
            } else {
                let (list, end) = try itemList()
                guard case .end = end else { throw error("expected end; found \(end.goString)") }
                elseList = list
            }
        }
        return GoTemplateBranch(pipe: pipe, list: list, elseList: elseList)
    }

    // MARK: Pipelines

    private mutating func pipeline(_ context: String, end: GoTemplateToken.Kind) throws(GoTemplateError) -> GoTemplatePipe {
        var pipe = GoTemplatePipe(pos: peekNonSpace().pos)
        declarations: while peekNonSpace().kind == .variable {
            let save = index
            let v = next()
            let following = peekNonSpace()
            if following.kind == .assign || following.kind == .declare {
                pipe.isAssign = following.kind == .assign
                _ = nextNonSpace()
                pipe.declarations.append(v.value)
                vars.append(v.value)
                break
            } else if following.kind == .char && following.value == "," {
                _ = nextNonSpace()
                pipe.declarations.append(v.value)
                vars.append(v.value)
                if context == "range" && pipe.declarations.count < 2 {
                    switch peekNonSpace().kind {
                    case .variable, .rightDelim, .rightParen: continue declarations
                    default: throw error("range can only initialize variables")
                    }
                }
                throw error("too many declarations in \(context)")
            } else {
                index = save  // a variable used as a value, not declared
                break
            }
        }
        while true {
            let token = nextNonSpace()
            if token.kind == end {
                try checkPipeline(pipe, context)
                return pipe
            }
            switch token.kind {
            case .bool, .charConstant, .complex, .dot, .field, .identifier, .number, .nilKeyword, .rawString, .string,
                .variable, .leftParen:
                backup()
                pipe.commands.append(try command())
            default:
                throw unexpected(token, context)
            }
        }
    }

    private func checkPipeline(_ pipe: GoTemplatePipe, _ context: String) throws(GoTemplateError) {
        if pipe.commands.isEmpty { throw error("missing value for \(context)") }
        for (i, c) in pipe.commands.enumerated().dropFirst() where c.arguments[0].isConstant {
            throw error("non executable command in pipeline stage \(i + 1)")
        }
    }

    private mutating func command() throws(GoTemplateError) -> GoTemplateCommand {
        var cmd = GoTemplateCommand(pos: peekNonSpace().pos)
        loop: while true {
            _ = peekNonSpace()
            if let operand = try operand() { cmd.arguments.append(operand) }
            let token = next()
            switch token.kind {
            case .space: continue loop
            case .rightDelim, .rightParen: backup()
            case .pipe: break
            default: throw unexpected(token, "operand")
            }
            break
        }
        if cmd.arguments.isEmpty { throw error("empty command") }
        return cmd
    }

    /// A term followed by any `.field`s.
    private mutating func operand() throws(GoTemplateError) -> GoTemplateArgument? {
        guard let node = try term() else { return nil }
        guard peek().kind == .field else { return node }
        let pos = peek().pos
        var fields: [String] = []
        while peek().kind == .field { fields.append(String(next().value.dropFirst())) }
        switch node {
        case .field(_, let names): return .field(pos: pos, names + fields)
        case .variable(_, let names): return .variable(pos: pos, names + fields)
        case .bool, .string, .number, .nilConstant, .dot:
            throw error("unexpected . after term \(GoQuote.quote(node.goString))")
        default: return .chain(pos: pos, node, fields)
        }
    }

    private mutating func term() throws(GoTemplateError) -> GoTemplateArgument? {
        let token = nextNonSpace()
        switch token.kind {
        case .identifier:
            guard GoTemplateFunctions.isBuiltin(token.value) else {
                throw error("function \(GoQuote.quote(token.value)) not defined")
            }
            return .identifier(pos: token.pos, token.value)
        case .dot: return .dot(pos: token.pos)
        case .nilKeyword: return .nilConstant(pos: token.pos)
        case .variable:
            guard vars.contains(token.value) else { throw error("undefined variable \(GoQuote.quote(token.value))") }
            return .variable(pos: token.pos, [token.value])
        case .field: return .field(pos: token.pos, [String(token.value.dropFirst())])
        case .bool: return .bool(pos: token.pos, token.value == "true")
        case .charConstant, .complex, .number:
            do {
                return .number(pos: token.pos, try GoTemplateNumber(text: token.value, kind: token.kind))
            } catch {
                throw self.error(error.detail)
            }
        case .leftParen:
            try nest()
            defer { depth -= 1 }
            return .pipe(try pipeline("parenthesized pipeline", end: .rightParen))
        case .string, .rawString:
            guard let value = GoUnquote.unquote(token.value) else { throw error("invalid syntax") }
            return .string(pos: token.pos, quoted: token.value, value: value)
        default:
            backup()
            return nil
        }
    }
}
