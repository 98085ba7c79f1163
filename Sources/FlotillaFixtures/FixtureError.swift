/// A fixture could not be set up (no free port, a server that never listened).
public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
