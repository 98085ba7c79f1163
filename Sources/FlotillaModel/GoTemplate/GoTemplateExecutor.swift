/// Executes a parsed template over a `map[string]string` as Go's `text/template` does
/// (`exec.go`) with `Option("missingkey=error")`: same evaluation order, variable scoping,
/// truth, `range` over sorted keys, `break`/`continue`, and the same error texts, including which
/// node an error is reported "at".
struct GoTemplateExecutor {
    /// Go's `s.node`: the node being evaluated, which an error names. Go updates it as it goes,
    /// so an error can name an inner node; keeping the same updates keeps the same messages.
    private enum Location {
        case none
        case node(GoTemplateNode)
        case pipe(GoTemplatePipe)
        case argument(GoTemplateArgument)
        case command(GoTemplateCommand)
    }

    private enum Flow { case normal, breakLoop, continueLoop }

    private var vars: [(name: String, value: GoValue)]
    private var out: [UInt8] = []
    private var location = Location.none
    /// Work done, bounded so that a leaf string cannot stall the hub (`{{range 1000000000}}`).
    private var steps = 0
    static let maxSteps = 1_000_000
    static let maxOutput = 4 << 20

    /// Runs `root` with `data` as dot and `$`.
    static func execute(_ root: [GoTemplateNode], data: [String: String]) throws(GoTemplateError) -> [UInt8] {
        var executor = GoTemplateExecutor(vars: [("$", .map(data))])
        _ = try executor.walk(list: root, dot: .map(data))
        return executor.out
    }

    private init(vars: [(name: String, value: GoValue)]) { self.vars = vars }

    // MARK: Errors and variables

    private func error(_ detail: String, missingKey: String? = nil) -> GoTemplateError {
        let at: GoTemplateError.Location? =
            switch location {
            case .none: nil
            case .node(let n): .node(pos: n.pos, context: n.goString())
            case .pipe(let p): .node(pos: p.pos, context: p.goString)
            case .argument(let a): .node(pos: a.pos, context: a.goString)
            case .command(let c): .node(pos: c.pos, context: c.goString)
            }
        return GoTemplateError(detail, at: at, missingKey: missingKey)
    }

    private func variable(_ name: String) throws(GoTemplateError) -> GoValue {
        guard let v = vars.last(where: { $0.name == name }) else { throw error("undefined variable: \(name)") }
        return v.value
    }

    private mutating func assign(_ name: String, _ value: GoValue) throws(GoTemplateError) {
        guard let i = vars.lastIndex(where: { $0.name == name }) else { throw error("undefined variable: \(name)") }
        vars[i].value = value
    }

    private mutating func pop(to mark: Int) { vars.removeLast(vars.count - mark) }

    private mutating func write(_ bytes: [UInt8]) throws(GoTemplateError) {
        out += bytes
        if out.count > Self.maxOutput { throw error("template output exceeds \(Self.maxOutput) bytes") }
    }

    // MARK: Walking

    private mutating func walk(list: [GoTemplateNode], dot: GoValue) throws(GoTemplateError) -> Flow {
        for node in list {
            let flow = try walk(node, dot: dot)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private mutating func walk(_ node: GoTemplateNode, dot: GoValue) throws(GoTemplateError) -> Flow {
        location = .node(node)
        switch node {
        case .text(_, let text):
            try write(text)
        case .action(_, let pipe):
            let value = try evalPipeline(pipe, dot: dot)
            if pipe.declarations.isEmpty {
                location = .node(node)
                switch value {
                case .invalid: try write(Array("<no value>".utf8))  // Go's text for a missing value
                case .string(let s): try write(s)  // what fmt.Fprint writes, without a formatter
                default: try write(GoFormatter.sprint([value]))
                }
            }
        case .ifNode(let b): return try walkIfOrWith(b, isWith: false, dot: dot)
        case .withNode(let b): return try walkIfOrWith(b, isWith: true, dot: dot)
        case .rangeNode(let b): try walkRange(b, node: node, dot: dot)
        case .breakNode: return .breakLoop
        case .continueNode: return .continueLoop
        }
        return .normal
    }

    private mutating func walkIfOrWith(_ b: GoTemplateBranch, isWith: Bool, dot: GoValue) throws(GoTemplateError) -> Flow {
        let mark = vars.count
        defer { pop(to: mark) }
        let value = try evalPipeline(b.pipe, dot: dot)
        if value.isTrue { return try walk(list: b.list, dot: isWith ? value : dot) }
        if let elseList = b.elseList { return try walk(list: elseList, dot: dot) }
        return .normal
    }

    private mutating func walkRange(_ r: GoTemplateBranch, node: GoTemplateNode, dot: GoValue) throws(GoTemplateError) {
        location = .node(node)
        let outer = vars.count
        defer { pop(to: outer) }
        let value = try evalPipeline(r.pipe, dot: dot)
        let mark = vars.count
        let decl = r.pipe.declarations
        // One pass of the body; false when it ran {{break}}.
        func iterate(_ index: GoValue, _ element: GoValue) throws(GoTemplateError) -> Bool {
            steps += 1
            if steps > Self.maxSteps { throw error("range runs more than \(Self.maxSteps) iterations") }
            if !decl.isEmpty {
                if r.pipe.isAssign {
                    try assign(decl[0], decl.count > 1 ? index : element)
                } else {
                    vars[vars.count - 1].value = element
                }
            }
            if decl.count > 1 {
                if r.pipe.isAssign { try assign(decl[1], element) } else { vars[vars.count - 2].value = index }
            }
            defer { pop(to: mark) }
            return try walk(list: r.list, dot: element) != .breakLoop
        }
        switch value {
        case .map(let m) where !m.isEmpty:
            for key in GoValue.sortedKeys(m) {
                if !(try iterate(.string(key), .string(m[key]!))) { break }
            }
            return
        case .int, .uint8:
            let n = if case .int(let i) = value { i } else if case .uint8(let u) = value { Int(u) } else { 0 }
            if decl.count > 1 {
                throw error("can't use \(String(decoding: GoFormatter.sprint([value]), as: UTF8.self)) to iterate over more than one variable")
            }
            if n > 0 {
                for i in 0..<n {
                    if !(try iterate(.invalid, .int(i))) { break }
                }
                return
            }
        case .map, .invalid:
            break  // empty: run {{else}}
        default:
            throw error("range can't iterate over \(String(decoding: GoFormatter.sprint([value]), as: UTF8.self))")
        }
        if let elseList = r.elseList { _ = try walk(list: elseList, dot: dot) }
    }

    // MARK: Evaluation

    private mutating func evalPipeline(_ pipe: GoTemplatePipe, dot: GoValue) throws(GoTemplateError) -> GoValue {
        location = .pipe(pipe)
        var value: GoValue?
        for command in pipe.commands { value = try evalCommand(command, dot: dot, final: value) }
        let result = value ?? .invalid
        for name in pipe.declarations {
            if pipe.isAssign { try assign(name, result) } else { vars.append((name, result)) }
        }
        return result
    }

    private mutating func notAFunction(_ args: [GoTemplateArgument], final: GoValue?) throws(GoTemplateError) {
        if args.count > 1 || final != nil { throw error("can't give argument to non-function \(args[0].goString)") }
    }

    /// `final` is the previous command's value in the pipeline, passed as the last argument.
    private mutating func evalCommand(_ cmd: GoTemplateCommand, dot: GoValue, final: GoValue?) throws(GoTemplateError) -> GoValue {
        let first = cmd.arguments[0]
        switch first {
        case .field(_, let names): return try evalField(first, names, dot: dot, args: cmd.arguments, final: final)
        case .chain(_, let inner, let names): return try evalChain(first, inner, names, dot: dot, args: cmd.arguments, final: final)
        case .identifier(_, let name):
            location = .argument(first)
            return try evalCall(name, at: .command(cmd), dot: dot, args: Array(cmd.arguments.dropFirst()), final: final)
        case .pipe(let pipe):
            try notAFunction(cmd.arguments, final: final)
            return try evalPipeline(pipe, dot: dot)
        case .variable(_, let names): return try evalVariable(first, names, dot: dot, args: cmd.arguments, final: final)
        default: break
        }
        location = .argument(first)
        try notAFunction(cmd.arguments, final: final)
        switch first {
        case .bool(_, let b): return .bool(b)
        case .dot: return dot
        case .nilConstant: throw error("nil is not a command")
        case .number(_, let n): return try idealConstant(first, n)
        case .string(_, _, let s): return .string(s)
        default: throw error("can't evaluate command \(GoQuote.quote(first.goString))")
        }
    }

    private mutating func idealConstant(_ node: GoTemplateArgument, _ n: GoTemplateNumber) throws(GoTemplateError) -> GoValue {
        location = .argument(node)
        guard let value = n.idealValue else { throw error("\(n.text) overflows int") }
        return value
    }

    private mutating func evalField(
        _ node: GoTemplateArgument, _ names: [String], dot: GoValue, args: [GoTemplateArgument], final: GoValue?
    ) throws(GoTemplateError) -> GoValue {
        location = .argument(node)
        return try fieldChain(receiver: dot, names[...], args: args, final: final)
    }

    private mutating func evalChain(
        _ node: GoTemplateArgument, _ inner: GoTemplateArgument, _ names: [String], dot: GoValue,
        args: [GoTemplateArgument], final: GoValue?
    ) throws(GoTemplateError) -> GoValue {
        location = .argument(node)
        if case .nilConstant = inner { throw error("indirection through explicit nil in \(node.goString)") }
        let receiver = try evalArg(inner, dot: dot, wantsString: false)
        return try fieldChain(receiver: receiver, names[...], args: args, final: final)
    }

    private mutating func evalVariable(
        _ node: GoTemplateArgument, _ names: [String], dot: GoValue, args: [GoTemplateArgument], final: GoValue?
    ) throws(GoTemplateError) -> GoValue {
        location = .argument(node)
        let value = try variable(names[0])
        if names.count == 1 {
            try notAFunction(args, final: final)
            return value
        }
        return try fieldChain(receiver: value, names.dropFirst(), args: args, final: final)
    }

    /// `.a.b.c` from `receiver`: each key must be in a map; a string (or any other value) has no
    /// fields and no methods here.
    private func fieldChain(
        receiver: GoValue, _ names: ArraySlice<String>, args: [GoTemplateArgument], final: GoValue?
    ) throws(GoTemplateError) -> GoValue {
        var receiver = receiver
        for (i, name) in names.enumerated() {
            let last = i == names.count - 1
            let hasArgs = last && (args.count > 1 || final != nil)
            switch receiver {
            case .invalid:
                throw error("nil data; no entry for key \(GoQuote.quote(name))", missingKey: name)
            case .map(let m):
                if hasArgs { throw error("\(name) is not a method but has arguments") }
                guard let v = m[name] else { throw error("map has no entry for key \(GoQuote.quote(name))", missingKey: name) }
                receiver = .string(v)
            default:
                // Go would look for a method or struct field; a string map has neither.
                throw error("can't evaluate field \(name) in type \(receiver.typeName)")
            }
        }
        return receiver
    }

    /// Calls a builtin. `args` excludes the function's name; `at` is where "error calling" points.
    private mutating func evalCall(
        _ name: String, at call: Location, dot: GoValue, args: [GoTemplateArgument], final: GoValue?
    ) throws(GoTemplateError) -> GoValue {
        let signature = GoTemplateFunctions.signatures[name]!
        let numIn = args.count + (final == nil ? 0 : 1)
        if signature.variadic {
            if numIn < signature.fixed {
                throw error("wrong number of args for \(name): want at least \(signature.fixed) got \(args.count)")
            }
        } else if numIn != signature.fixed {
            throw error("wrong number of args for \(name): want \(signature.fixed) got \(numIn)")
        }
        if name == "and" || name == "or" {
            // Short-circuit: the first argument that decides is the value; later ones are not evaluated.
            var value = GoValue.invalid
            for arg in args {
                value = try evalArg(arg, dot: dot, wantsString: false)
                if value.isTrue == (name == "or") { return value }
            }
            return final ?? value
        }
        var argv: [GoValue] = []
        for (i, arg) in args.enumerated() {
            argv.append(try evalArg(arg, dot: dot, wantsString: name == "printf" && i == 0))
        }
        if let final {
            argv.append(name == "printf" && args.isEmpty ? try validateString(final) : final)
        }
        do {
            return try GoTemplateFunctions.call(name, argv)
        } catch {
            location = call
            throw self.error("error calling \(name): \(error.message)")
        }
    }

    /// The only typed parameter among the builtins is printf's format, a string.
    private func validateString(_ value: GoValue) throws(GoTemplateError) -> GoValue {
        switch value {
        case .string: return value
        case .invalid: throw error("invalid value; expected string")
        default: throw error("wrong type for value; expected string; got \(value.typeName)")
        }
    }

    private mutating func evalArg(_ node: GoTemplateArgument, dot: GoValue, wantsString: Bool) throws(GoTemplateError) -> GoValue {
        location = .argument(node)
        let value: GoValue
        switch node {
        case .dot: value = dot
        case .nilConstant:
            if wantsString { throw error("cannot assign nil to string") }
            return .invalid
        case .field(_, let names): value = try evalField(node, names, dot: dot, args: [node], final: nil)
        case .variable(_, let names): value = try evalVariable(node, names, dot: dot, args: [node], final: nil)
        case .pipe(let pipe): value = try evalPipeline(pipe, dot: dot)
        case .identifier(_, let name): value = try evalCall(name, at: .argument(node), dot: dot, args: [], final: nil)
        case .chain(_, let inner, let names): value = try evalChain(node, inner, names, dot: dot, args: [node], final: nil)
        case .string(_, _, let s): return .string(s)
        case .bool(_, let b):
            if wantsString { throw error("expected string; found \(node.goString)") }
            return .bool(b)
        case .number(_, let n):
            if wantsString { throw error("expected string; found \(node.goString)") }
            return try idealConstant(node, n)
        }
        return wantsString ? try validateString(value) : value
    }
}
