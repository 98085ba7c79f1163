import Foundation

extension Value {
    /// Builds a tree from any `Encodable` through JSON.
    public init(encodable: some Encodable) throws {
        let data = try JSONEncoder().encode(encodable)
        self = try JSONValueParser.parse(Array(data))
    }
}
