/// One leaf string parsed as a Go `text/template`, ready to execute over a spoke's properties.
///
/// Parse once (``TemplateExpander/compile(_:field:)`` caches by text), execute per spoke. The
/// language is Go's, evaluated over a `map[string]string` with `missingkey=error`, as
/// KubeStellar's `pkg/customize` runs it; see `TemplateExpander` for what is supported.
public struct GoTemplate: Sendable {
    /// The template's text.
    public let source: String
    let bytes: [UInt8]
    let parsed: Result<[GoTemplateNode], GoTemplateError>

    init(source: String) {
        self.source = source
        bytes = Array(source.utf8)
        do {
            parsed = .success(try GoTemplateParser.parse(bytes))
        } catch {
            parsed = .failure(error)
        }
    }

    /// The parse error, worded as Go words it for a template named `field`.
    func parseFailure(field: String) -> TemplateExpander.Failure? {
        guard case .failure(let e) = parsed else { return nil }
        return TemplateExpander.Failure(field: field, message: e.message(name: field, source: bytes))
    }

    /// The template as text and `{{.key}}` lookups when it is no more than that (after trim
    /// markers and comments), so that callers can splice values without executing anything;
    /// `nil` for any richer template, or one that does not parse.
    public var segments: [TemplateExpander.Segment]? {
        guard case .success(let root) = parsed else { return nil }
        var out: [TemplateExpander.Segment] = []
        for node in root {
            switch node {
            case .text(_, let t):
                out.append(.text(String(decoding: t, as: UTF8.self)))
            case .action(_, let pipe)
            where pipe.declarations.isEmpty && pipe.commands.count == 1 && pipe.commands[0].arguments.count == 1:
                guard case .field(_, let names) = pipe.commands[0].arguments[0], names.count == 1 else { return nil }
                out.append(.property(names[0]))
            default:
                return nil
            }
        }
        return out
    }

    /// Executes the template with `properties` as dot and returns the string Go would write.
    /// - Throws: ``TemplateExpander/Failure`` naming `field`, and the property when one is missing.
    public func render(properties: [String: String], field: String) throws(TemplateExpander.Failure) -> String {
        switch parsed {
        case .failure(let e):
            throw TemplateExpander.Failure(field: field, message: e.message(name: field, source: bytes))
        case .success(let root):
            do {
                return String(decoding: try GoTemplateExecutor.execute(root, data: properties), as: UTF8.self)
            } catch {
                let message = error.message(name: field, source: bytes)
                if let key = error.missingKey { throw TemplateExpander.missing(key, field: field, detail: message) }
                throw TemplateExpander.Failure(field: field, message: message)
            }
        }
    }
}
