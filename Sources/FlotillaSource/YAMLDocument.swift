import FlotillaModel

/// One document of a YAML stream, as ``DocumentBuilder`` gives it.
enum YAMLDocument {
    /// The document's tree and where its root and list items start.
    case value(Value, DocumentLines)
    /// A document Flotilla does not take (a duplicate key, a key that is not a scalar, an alias):
    /// the line of the problem and what it is. The stream goes on with the next document.
    case invalid(line: Int, message: String)
}
