/// One problem in the GitOps source, precise enough to fix without searching:
/// the file and line, the object, the field, and what is wrong.
public struct SourceError: Error, Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    /// `Kind/namespace/name` of the object, or empty when the problem is not in one object.
    public var object: String
    /// A dotted field path such as `spec.clusterSelectors[0].matchExpressions[1].operator`.
    public var field: String
    public var message: String

    public init(location: SourceLocation, object: String = "", field: String = "", message: String) {
        self.location = location
        self.object = object
        self.field = field
        self.message = message
    }

    public var description: String {
        var s = "\(location):"
        if !object.isEmpty { s += " \(object)" }
        if !field.isEmpty { s += " field \(field):" } else if !object.isEmpty { s += ":" }
        return s + " " + message
    }
}

/// Every error found in one validation pass; thrown when the list is not empty.
public struct SourceErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [SourceError]

    public init(_ errors: [SourceError]) { self.errors = errors }

    public var description: String {
        "\(errors.count) error(s) in source:\n" + errors.map { "  " + $0.description }.joined(separator: "\n")
    }
}
