/// A Kubernetes object as read from the source: its tree, identity and origin.
public struct ManifestObject: Sendable, Hashable {
    public var ref: ObjectRef
    public var tree: [String: Value]
    public var origin: SourceLocation

    public init(ref: ObjectRef, tree: [String: Value], origin: SourceLocation) {
        self.ref = ref
        self.tree = tree
        self.origin = origin
    }

    public var labels: [String: String] { Self.stringMap(tree["metadata"]?.objectValue?["labels"]) }
    public var annotations: [String: String] {
        Self.stringMap(tree["metadata"]?.objectValue?["annotations"])
    }

    static func stringMap(_ v: Value?) -> [String: String] {
        guard let o = v?.objectValue else { return [:] }
        var out: [String: String] = [:]
        for (k, v) in o {
            switch v {
            case .string(let s): out[k] = s
            case .int(let i): out[k] = String(i)
            case .bool(let b): out[k] = String(b)
            case .double(let d): out[k] = String(d)
            default: continue
            }
        }
        return out
    }
}
