import FlotillaModel
@testable import FlotillaSource
import Yams

/// The loader's old path, kept as the reference the libyaml event loader is checked against:
/// Yams' composer with its default resolver, then the node-to-``Value`` conversion FlotillaSource
/// used (its NodeConverter, unchanged).
enum YamsReference {
    struct Failure: Error {}

    /// Every document of `yaml` the old way; nil when Yams or the conversion failed.
    static func documents(_ yaml: String) -> [Value]? {
        do {
            var out: [Value] = []
            var documents = try Yams.compose_all(yaml: yaml)
            while let node = documents.next() { out.append(try value(of: node)) }
            if documents.error != nil { return nil }
            return out
        } catch {
            return nil
        }
    }

    static func value(of node: Node) throws -> Value {
        switch node {
        case .scalar(let scalar):
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(Value.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return node.float.map(Value.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let seq):
            return .array(try seq.map(value(of:)))
        case .mapping(let map):
            var out: [String: Value] = [:]
            for (k, v) in map {
                guard case .scalar(let ks) = k, out[ks.string] == nil else { throw Failure() }
                out[ks.string] = try value(of: v)
            }
            return .object(out)
        case .alias:
            throw Failure()
        }
    }

    /// Every document of `yaml` the new way (libyaml's events); nil on any error.
    static func loaded(_ yaml: String) -> [Value]? {
        var text = yaml
        return text.withUTF8 { utf8 -> [Value]? in
            var builder = DocumentBuilder(bytes: UnsafeRawBufferPointer(utf8))
            var out: [Value] = []
            do {
                while let document = try builder.next() {
                    guard case .value(let v, _) = document else { return nil }
                    out.append(v)
                }
            } catch {
                return nil
            }
            return out
        }
    }

    /// Equality where NaN equals NaN and 0.0 differs from -0.0: the same bits, as far as doubles go.
    static func same(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN)
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy(same)
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { same(v, $0) } ?? false }
        default: return a == b
        }
    }

    static func same(_ a: [Value]?, _ b: [Value]?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        default: return false
        }
    }
}
