import FlotillaModel
import Yams

/// Turns a Yams node into a ``Value`` with YAML's core-schema scalar types.
enum NodeConverter {
    struct Failure: Error {
        var message: String
    }

    static func value(of node: Node) throws(Failure) -> Value {
        switch node {
        case .scalar(let scalar):
            // `node.tag` is the resolved tag; `scalar.tag` of a plain scalar is still "implicit",
            // which would turn every number and boolean into a string.
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(Value.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue:
                if let i = node.int { return .int(Int64(i)) }
                return .string(scalar.string)
            case Tag.Name.float.rawValue:
                if let d = node.float { return .double(d) }
                return .string(scalar.string)
            default:
                return .string(scalar.string)
            }
        case .sequence(let seq):
            var out: [Value] = []
            for n in seq { out.append(try value(of: n)) }
            return .array(out)
        case .mapping(let map):
            var out: [String: Value] = [:]
            for (k, v) in map {
                guard case .scalar(let ks) = k else {
                    throw Failure(message: "line \(k.mark?.line ?? 0): map keys must be strings")
                }
                if out[ks.string] != nil {
                    throw Failure(message: "line \(k.mark?.line ?? 0): duplicate key \"\(ks.string)\"")
                }
                out[ks.string] = try value(of: v)
            }
            return .object(out)
        case .alias:
            throw Failure(message: "line \(node.mark?.line ?? 0): YAML aliases are not supported")
        }
    }
}
