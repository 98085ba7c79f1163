/// Go's `fmt` for template values: `Sprint`, `Sprintln` and `Sprintf` with Go's verbs, flags,
/// width, precision, argument indexes and its `%!d(string=x)` reports of misuse (`fmt/print.go`,
/// `fmt/format.go`). Output is bytes, since Go strings may hold any byte.
struct GoFormatter {
    // Internal, not private: the verbs (GoFormatter+Verbs.swift) write here too.
    var buf: [UInt8] = []
    var f = Flags()

    struct Flags {
        var widPresent = false, precPresent = false
        var minus = false, plus = false, sharp = false, space = false, zero = false
        /// `%+v` and `%#v`: set instead of `plus`/`sharp` for the `v` verb.
        var plusV = false, sharpV = false
        var wid = 0, prec = 0
    }

    static let lowerDigits = Array("0123456789abcdefx".utf8)
    static let upperDigits = Array("0123456789ABCDEFX".utf8)

    // MARK: Entry points

    /// `fmt.Sprint`: a space between operands when neither is a string.
    static func sprint(_ args: [GoValue]) -> [UInt8] {
        var p = GoFormatter()
        var prevString = false
        for (i, arg) in args.enumerated() {
            let isString = if case .string = arg { true } else { false }
            if i > 0 && !isString && !prevString { p.buf.append(0x20) }
            p.printArg(arg, verb: UInt32(UInt8(ascii: "v")))
            prevString = isString
        }
        return p.buf
    }

    /// `fmt.Sprintln`: spaces between all operands, and a newline.
    static func sprintln(_ args: [GoValue]) -> [UInt8] {
        var p = GoFormatter()
        for (i, arg) in args.enumerated() {
            if i > 0 { p.buf.append(0x20) }
            p.printArg(arg, verb: UInt32(UInt8(ascii: "v")))
        }
        p.buf.append(0x0A)
        return p.buf
    }

    /// `fmt.Sprintf`.
    static func sprintf(_ format: [UInt8], _ args: [GoValue]) -> [UInt8] {
        var p = GoFormatter()
        p.doPrintf(format, args)
        return p.buf
    }

    // MARK: Printf

    private mutating func doPrintf(_ format: [UInt8], _ a: [GoValue]) {
        let end = format.count
        var argNum = 0
        var afterIndex = false
        var reordered = false
        var goodArgNum = true
        var i = 0
        func parseNum(_ i: inout Int) -> Int? {
            var n = 0
            var any = false
            while i < end, format[i] >= 0x30, format[i] <= 0x39 {
                if n > 1_000_000 { i = end; return nil }  // Go gives up on absurd numbers
                n = n * 10 + Int(format[i] - 0x30)
                any = true
                i += 1
            }
            return any ? n : nil
        }
        // `[n]` selects the argument for the next verb (or `*`), 1-based.
        func argNumber(_ argNum: inout Int, _ i: inout Int) -> Bool {
            guard i < end, format[i] == UInt8(ascii: "[") else { return false }
            reordered = true
            var j = i + 1
            while j < end && format[j] != UInt8(ascii: "]") { j += 1 }
            guard end - i >= 3, j < end else {
                goodArgNum = false
                i += 1
                return false
            }
            var k = i + 1
            let n = parseNum(&k)
            defer { i = j + 1 }
            guard let n, k == j, n - 1 >= 0, n - 1 < a.count else {
                goodArgNum = false
                return n != nil && k == j
            }
            argNum = n - 1
            return true
        }
        func intArg(_ argNum: inout Int) -> Int? {
            guard argNum < a.count else { return nil }
            defer { argNum += 1 }
            let n: Int
            switch a[argNum] {
            case .int(let v): n = v
            case .uint8(let v): n = Int(v)
            default: return nil
            }
            return abs(n) > 1_000_000 ? nil : n
        }

        while i < end {
            goodArgNum = true
            let last = i
            while i < end && format[i] != UInt8(ascii: "%") { i += 1 }
            if i > last { buf += format[last..<i] }
            if i >= end { break }
            i += 1
            f = Flags()
            flags: while i < end {
                switch format[i] {
                case UInt8(ascii: "#"): f.sharp = true
                case UInt8(ascii: "0"): f.zero = !f.minus  // only pad with zeros on the left
                case UInt8(ascii: "+"): f.plus = true
                case UInt8(ascii: "-"):
                    f.minus = true
                    f.zero = false
                case UInt8(ascii: " "): f.space = true
                default: break flags
                }
                i += 1
            }
            afterIndex = argNumber(&argNum, &i)
            if i < end && format[i] == UInt8(ascii: "*") {
                i += 1
                if let w = intArg(&argNum) {
                    (f.wid, f.widPresent) = (w, true)
                    if w < 0 {
                        f.wid = -w
                        f.minus = true
                        f.zero = false
                    }
                } else {
                    buf += Array("%!(BADWIDTH)".utf8)
                }
                afterIndex = false
            } else if let w = parseNum(&i) {
                (f.wid, f.widPresent) = (w, true)
                if afterIndex { goodArgNum = false }  // "%[3]2d"
            }
            if i + 1 < end && format[i] == UInt8(ascii: ".") {
                i += 1
                if afterIndex { goodArgNum = false }  // "%[3].2d"
                afterIndex = argNumber(&argNum, &i)
                if i < end && format[i] == UInt8(ascii: "*") {
                    i += 1
                    if let p = intArg(&argNum), p >= 0 {
                        (f.prec, f.precPresent) = (p, true)
                    } else {
                        buf += Array("%!(BADPREC)".utf8)
                    }
                    afterIndex = false
                } else {
                    (f.prec, f.precPresent) = (parseNum(&i) ?? 0, true)
                }
            }
            if !afterIndex { afterIndex = argNumber(&argNum, &i) }
            if i >= end {
                buf += Array("%!(NOVERB)".utf8)
                break
            }
            let (verb, size) = GoUTF8.decode(format, at: i)
            i += size
            if verb == 0x25 {  // %% takes no operand and ignores width and precision
                buf.append(0x25)
            } else if !goodArgNum {
                badArgument(verb, "(BADINDEX)")
            } else if argNum >= a.count {
                badArgument(verb, "(MISSING)")
            } else {
                if verb == UInt32(UInt8(ascii: "v")) {
                    (f.sharpV, f.sharp, f.plusV, f.plus) = (f.sharp, false, f.plus, false)
                }
                printArg(a[argNum], verb: verb)
                argNum += 1
            }
        }
        if !reordered && argNum < a.count {
            f = Flags()
            buf += Array("%!(EXTRA ".utf8)
            for (k, arg) in a[argNum...].enumerated() {
                if k > 0 { buf += Array(", ".utf8) }
                appendTypedOperand(arg)
            }
            buf.append(UInt8(ascii: ")"))
        }
    }

    private mutating func badArgument(_ verb: UInt32, _ what: String) {
        buf += Array("%!".utf8)
        GoUTF8.append(verb, to: &buf)
        buf += Array(what.utf8)
    }

    // MARK: Operands

    private mutating func printArg(_ arg: GoValue, verb: UInt32) {
        let v = verb < 0x80 ? Character(Unicode.Scalar(UInt8(verb))) : "?"
        if case .invalid = arg {
            if v == "T" || v == "v" { pad(Array("<nil>".utf8)) } else { badVerb(verb, arg) }
            return
        }
        if v == "T" {
            fmtS(Array(arg.typeName.utf8))
            return
        }
        if v == "p" {
            badVerb(verb, arg)  // nothing here has an address
            return
        }
        switch arg {
        case .invalid: break
        case .bool(let b):
            if v == "t" || v == "v" { pad(Array((b ? "true" : "false").utf8)) } else { badVerb(verb, arg) }
        case .int(let n): fmtInteger(UInt64(bitPattern: Int64(n)), signed: true, verb: verb, arg)
        case .uint8(let n): fmtInteger(UInt64(n), signed: false, verb: verb, arg)
        case .float(let x): fmtFloat(x, verb: verb, arg)
        case .complex(let re, let im):
            guard "vbgGxXfFeE".contains(v) else { return badVerb(verb, arg) }
            let oldPlus = f.plus
            buf.append(UInt8(ascii: "("))
            fmtFloat(re, verb: verb, arg)
            f.plus = true
            fmtFloat(im, verb: verb, arg)
            buf += Array("i)".utf8)
            f.plus = oldPlus
        case .string(let s): fmtString(s, verb: verb, arg)
        case .map(let m): printMap(m, verb: verb)
        }
    }

    /// `%!d(string=x)`: the verb does not suit the operand.
    mutating func badVerb(_ verb: UInt32, _ arg: GoValue) {
        buf += Array("%!".utf8)
        GoUTF8.append(verb, to: &buf)
        buf.append(UInt8(ascii: "("))
        appendTypedOperand(arg)
        buf.append(UInt8(ascii: ")"))
    }

    /// `type=value` (`<nil>` for a missing operand), as Go prints an operand it reports on.
    private mutating func appendTypedOperand(_ arg: GoValue) {
        if case .invalid = arg {
            buf += Array("<nil>".utf8)
        } else {
            buf += Array(arg.typeName.utf8) + [UInt8(ascii: "=")]
            printArg(arg, verb: UInt32(UInt8(ascii: "v")))
        }
    }

    private mutating func printMap(_ m: [String: String], verb: UInt32) {
        buf += Array((f.sharpV ? "map[string]string{" : "map[").utf8)
        for (i, key) in GoValue.sortedKeys(m).enumerated() {
            if i > 0 { buf += Array((f.sharpV ? ", " : " ").utf8) }
            printArg(.string(key), verb: verb)
            buf.append(UInt8(ascii: ":"))
            printArg(.string(m[key]!), verb: verb)
        }
        buf.append(f.sharpV ? UInt8(ascii: "}") : UInt8(ascii: "]"))
    }
}
