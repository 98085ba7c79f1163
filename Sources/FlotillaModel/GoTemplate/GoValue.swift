/// A value during template execution. Data is a `map[string]string`, so besides it only strings
/// and what constants and builtins make can occur: Go's int, float64, complex128, bool, the
/// `uint8` that `index` takes from a string, and `invalid` (Go's zero `reflect.Value`: `nil`, or
/// what `and`/`or` pass on from a `nil` argument).
enum GoValue: Sendable {
    case invalid
    case bool(Bool)
    case int(Int)
    case uint8(UInt8)
    case float(Double)
    case complex(Double, Double)
    /// Go strings are bytes (they may hold any byte, e.g. from `"\xff"` or `slice`).
    case string([UInt8])
    case map([String: String])

    static func string(_ s: String) -> GoValue { .string(Array(s.utf8)) }

    /// Go's type name, as errors and `%T` print it.
    var typeName: String {
        switch self {
        case .invalid: return "<nil>"
        case .bool: return "bool"
        case .int: return "int"
        case .uint8: return "uint8"
        case .float: return "float64"
        case .complex: return "complex128"
        case .string: return "string"
        case .map: return "map[string]string"
        }
    }

    /// Go's truth (`template.IsTrue`): false for the zero value of the type, an empty map, and nil.
    var isTrue: Bool {
        switch self {
        case .invalid: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .uint8(let u): return u != 0
        case .float(let f): return f != 0
        case .complex(let re, let im): return re != 0 || im != 0
        case .string(let s): return !s.isEmpty
        case .map(let m): return !m.isEmpty
        }
    }

    /// The map's keys in Go's order (byte-wise, which is how `fmt` and `range` sort string keys).
    static func sortedKeys(_ m: [String: String]) -> [String] {
        m.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
