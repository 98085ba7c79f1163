/// One workload object, cleaned and encoded once for every spoke that gets it: either its final
/// canonical JSON, or, when it asks for template expansion, its canonical JSON with holes where
/// its templated strings go, each parsed once and executed per spoke. Expansion never changes map
/// keys, so filling the holes gives exactly the canonical JSON of the expanded tree, without
/// re-walking the tree per spoke.
struct ObjectRendering: Sendable {
    enum Piece: Sendable {
        case bytes([UInt8])
        /// A templated string whose JSON-escaped output goes here; `field` names the leaf for errors.
        case template(GoTemplate, field: String)
    }

    /// The object's JSON when it holds no template.
    private(set) var staticJSON: [UInt8]?
    private(set) var pieces: [Piece] = []
    /// Bad template syntax: spoke-independent, so found once, and reported for every spoke.
    private(set) var syntaxFailures: [TemplateExpander.Failure] = []
    /// The four bundle items (`createOnly` × `singleton`) of a static object, shared by every bundle.
    private var staticItems: [[UInt8]] = []

    init(cleaned tree: [String: Value], expandTemplates: Bool) {
        guard expandTemplates else {
            setStatic(Value.object(tree).canonicalJSON)
            return
        }
        var buffer: [UInt8] = []
        emitObject(tree, path: nil, buffer: &buffer)
        if pieces.isEmpty && syntaxFailures.isEmpty {
            setStatic(buffer)
        } else if !buffer.isEmpty {
            pieces.append(.bytes(buffer))
        }
    }

    private mutating func setStatic(_ json: [UInt8]) {
        staticJSON = json
        staticItems = [(false, false), (false, true), (true, false), (true, true)].map {
            SpokeBundle.Item.encode(objectJSON: json, createOnly: $0.0, singleton: $0.1)
        }
    }

    var isTemplated: Bool { staticJSON == nil }

    /// The bundle item of a static object with the given flags.
    func staticItem(createOnly: Bool, singleton: Bool) -> [UInt8] {
        staticItems[(createOnly ? 2 : 0) + (singleton ? 1 : 0)]
    }

    /// The object's canonical JSON for one spoke; appends every failure (syntax and missing property).
    func render(properties: [String: String], failures: inout [TemplateExpander.Failure]) -> [UInt8] {
        if let staticJSON { return staticJSON }
        failures.append(contentsOf: syntaxFailures)
        var out: [UInt8] = []
        for piece in pieces {
            switch piece {
            case .bytes(let b): out.append(contentsOf: b)
            case .template(let template, let field):
                do {
                    Value.writeJSONStringBody(try template.render(properties: properties, field: field), into: &out)
                } catch {
                    failures.append(error)
                }
            }
        }
        return out
    }

    private mutating func emitObject(_ o: [String: Value], path: String?, buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "{"))
        let keys = o.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for (i, k) in keys.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            Value.writeJSONString(k, into: &buffer)
            buffer.append(UInt8(ascii: ":"))
            emit(o[k]!, path: path.map { "\($0).\(k)" } ?? k, buffer: &buffer)
        }
        buffer.append(UInt8(ascii: "}"))
    }

    private mutating func emit(_ value: Value, path: String, buffer: inout [UInt8]) {
        switch value {
        case .string(let s):
            let template: GoTemplate?
            do {
                template = try TemplateExpander.compile(s, field: path)
            } catch {
                syntaxFailures.append(error)
                template = nil
            }
            guard let template else {
                value.writeCanonical(into: &buffer)
                return
            }
            buffer.append(UInt8(ascii: "\""))
            pieces.append(.bytes(buffer))
            buffer.removeAll(keepingCapacity: true)
            pieces.append(.template(template, field: path))
            buffer.append(UInt8(ascii: "\""))
        case .array(let a):
            buffer.append(UInt8(ascii: "["))
            for (i, e) in a.enumerated() {
                if i > 0 { buffer.append(UInt8(ascii: ",")) }
                emit(e, path: "\(path)[\(i)]", buffer: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let o):
            emitObject(o, path: path, buffer: &buffer)
        default:
            value.writeCanonical(into: &buffer)
        }
    }
}
