/// A pipeline: optional variable declarations (`$x :=`) or assignments (`$x =`), then commands
/// separated by `|`, each command's value passed as the last argument of the next.
struct GoTemplatePipe: Sendable {
    var pos: Int
    var isAssign = false
    /// Declared or assigned variable names, `$` included, in lexical order.
    var declarations: [String] = []
    var commands: [GoTemplateCommand] = []

    /// Go's `PipeNode.String` (which writes ` := ` for assignments too).
    var goString: String {
        let decl = declarations.isEmpty ? "" : declarations.joined(separator: ", ") + " := "
        return decl + commands.map(\.goString).joined(separator: " | ")
    }
}

/// One command of a pipeline: a function, field, variable or constant and its arguments.
struct GoTemplateCommand: Sendable {
    var pos: Int
    var arguments: [GoTemplateArgument] = []

    var goString: String {
        arguments.map { arg in
            if case .pipe(let p) = arg { return "(\(p.goString))" }
            return arg.goString
        }.joined(separator: " ")
    }
}
