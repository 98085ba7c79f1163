import FlotillaModel
import FlotillaRendering
import Foundation

/// `-o json` and `-o yaml` of any value the commands print: YAML goes through the same JSON
/// tree, so both show the same fields with the same names.
enum StructuredOutput {
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func yaml(_ value: some Encodable) throws -> String {
        let tree = try JSONDecoder().decode(Value.self, from: try JSONEncoder().encode(value))
        guard case .object(let object) = tree else { return try ManifestYAML.render([["value": tree]]) }
        return try ManifestYAML.render(object: object)
    }
}
