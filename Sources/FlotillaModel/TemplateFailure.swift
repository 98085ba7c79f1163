/// A template expansion that failed for one spoke: that spoke keeps its previous bundle and the
/// failure is reported, naming the object (and where it is defined), the field, the spoke and
/// the property.
public struct TemplateFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var object: ObjectRef
    public var origin: SourceLocation
    public var spoke: String
    /// Dotted path of the leaf string, e.g. `spec.template.spec.containers[0].image`.
    public var field: String
    /// The missing property, when that is the problem.
    public var property: String?
    public var message: String

    public init(object: ObjectRef, origin: SourceLocation, spoke: String, failure: TemplateExpander.Failure) {
        self.object = object
        self.origin = origin
        self.spoke = spoke
        self.field = failure.field
        self.property = failure.property
        self.message = failure.message
    }

    public var description: String {
        "\(origin): \(object) field \(field): \(message) (spoke \(spoke))"
    }
}
