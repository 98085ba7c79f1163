/// Go's builtin template functions (`text/template/funcs.go`) over ``GoValue``. `and` and `or`
/// short-circuit, so the executor runs them itself; `call` exists (the parser accepts it) but
/// nothing in a string map is a function.
enum GoTemplateFunctions {
    /// A function's parameters as Go declares them: how many fixed ones, and whether more may follow.
    struct Signature {
        var fixed: Int
        var variadic: Bool
    }

    static let signatures: [String: Signature] = [
        "and": Signature(fixed: 1, variadic: true), "or": Signature(fixed: 1, variadic: true),
        "not": Signature(fixed: 1, variadic: false), "len": Signature(fixed: 1, variadic: false),
        "index": Signature(fixed: 1, variadic: true), "slice": Signature(fixed: 1, variadic: true),
        "call": Signature(fixed: 1, variadic: true),
        "print": Signature(fixed: 0, variadic: true), "println": Signature(fixed: 0, variadic: true),
        "printf": Signature(fixed: 1, variadic: true),
        "html": Signature(fixed: 0, variadic: true), "js": Signature(fixed: 0, variadic: true),
        "urlquery": Signature(fixed: 0, variadic: true),
        "eq": Signature(fixed: 1, variadic: true),
        "ne": Signature(fixed: 2, variadic: false), "lt": Signature(fixed: 2, variadic: false),
        "le": Signature(fixed: 2, variadic: false), "gt": Signature(fixed: 2, variadic: false),
        "ge": Signature(fixed: 2, variadic: false),
    ]

    static func isBuiltin(_ name: String) -> Bool { signatures[name] != nil }

    /// The message after Go's "error calling NAME: ".
    struct Failure: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// Runs every builtin but `and` and `or` on evaluated arguments (arity already checked).
    static func call(_ name: String, _ args: [GoValue]) throws(Failure) -> GoValue {
        switch name {
        case "not": return .bool(!args[0].isTrue)
        case "len": return try length(args[0])
        case "index": return try index(args[0], Array(args.dropFirst()))
        case "slice": return try slice(args[0], Array(args.dropFirst()))
        case "call":
            if case .invalid = args[0] { throw Failure("call of nil") }
            throw Failure("non-function of type \(args[0].typeName) (a template over a string map has no functions to call)")
        case "print": return .string(GoFormatter.sprint(args))
        case "println": return .string(GoFormatter.sprintln(args))
        case "printf":
            guard case .string(let format) = args[0] else { throw Failure("printf needs a string format") }
            return .string(GoFormatter.sprintf(format, Array(args.dropFirst())))
        case "html": return .string(GoEscaper.html(evalArgs(args)))
        case "js": return .string(GoEscaper.js(evalArgs(args)))
        case "urlquery": return .string(GoEscaper.urlQuery(evalArgs(args)))
        case "eq": return .bool(try GoComparison.eq(args[0], Array(args.dropFirst())))
        case "ne": return .bool(!(try GoComparison.eq(args[0], [args[1]])))
        case "lt": return .bool(try GoComparison.lt(args[0], args[1]))
        case "le": return .bool(try lessOrEqual(args[0], args[1]))
        case "gt": return .bool(!(try lessOrEqual(args[0], args[1])))
        case "ge": return .bool(!(try GoComparison.lt(args[0], args[1])))
        default: throw Failure("function \(GoQuote.quote(name)) not defined")
        }
    }

    /// `le`: `lt`, else `eq` (whose errors then count).
    private static func lessOrEqual(_ a: GoValue, _ b: GoValue) throws(Failure) -> Bool {
        if try GoComparison.lt(a, b) { return true }
        return try GoComparison.eq(a, [b])
    }

    /// The text the escapers work on: one string as is, else `fmt.Sprint` of the arguments with
    /// `nil` shown as `<no value>` (Go's `evalArgs`).
    private static func evalArgs(_ args: [GoValue]) -> [UInt8] {
        if args.count == 1, case .string(let s) = args[0] { return s }
        return GoFormatter.sprint(args.map { if case .invalid = $0 { .string("<no value>") } else { $0 } })
    }

    private static func length(_ item: GoValue) throws(Failure) -> GoValue {
        switch item {
        case .string(let s): return .int(s.count)
        case .map(let m): return .int(m.count)
        case .invalid: throw Failure("len of untyped nil")
        default: throw Failure("len of type \(item.typeName)")
        }
    }

    /// An index argument as Go's `indexArg` checks it, within `0...cap`.
    private static func indexArgument(_ index: GoValue, cap: Int) throws(Failure) -> Int {
        let x: Int
        switch index {
        case .int(let i): x = i
        case .uint8(let u): x = Int(u)
        case .invalid: throw Failure("cannot index slice/array with nil")
        default: throw Failure("cannot index slice/array with type \(index.typeName)")
        }
        if x < 0 || x > cap { throw Failure("index out of range: \(x)") }
        return x
    }

    /// `index`: a byte of a string (a `uint8`), or a map entry (`""` when absent: `index` never
    /// fails on a missing key, unlike `.key`).
    private static func index(_ item: GoValue, _ indexes: [GoValue]) throws(Failure) -> GoValue {
        if case .invalid = item { throw Failure("index of untyped nil") }
        var item = item
        for index in indexes {
            switch item {
            case .string(let s):
                let x = try indexArgument(index, cap: s.count)
                if x == s.count { throw Failure("index out of range: \(x)") }
                item = .uint8(s[x])
            case .map(let m):
                switch index {
                case .string(let key): item = .string(m[String(decoding: key, as: UTF8.self)] ?? "")
                case .invalid: throw Failure("value is nil; should be of type string")
                default: throw Failure("value has type \(index.typeName); should be string")
                }
            default:
                throw Failure("can't index item of type \(item.typeName)")
            }
        }
        return item
    }

    /// `slice` of a string: `slice s`, `slice s i`, `slice s i j`, in bytes.
    private static func slice(_ item: GoValue, _ indexes: [GoValue]) throws(Failure) -> GoValue {
        if case .invalid = item { throw Failure("slice of untyped nil") }
        if indexes.count > 3 { throw Failure("too many slice indexes: \(indexes.count)") }
        guard case .string(let s) = item else { throw Failure("can't slice item of type \(item.typeName)") }
        if indexes.count == 3 { throw Failure("cannot 3-index slice a string") }
        var idx = [0, s.count]
        for (i, index) in indexes.enumerated() { idx[i] = try indexArgument(index, cap: s.count) }
        if idx[0] > idx[1] { throw Failure("invalid slice index: \(idx[0]) > \(idx[1])") }
        return .string(Array(s[idx[0]..<idx[1]]))
    }
}
