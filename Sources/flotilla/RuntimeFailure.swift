/// A failure while running, not a misuse of the command line: printed as `Error: …` without
/// the usage text that ArgumentParser adds to a `ValidationError`.
struct RuntimeFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
