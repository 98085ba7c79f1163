import FlotillaModel

/// Builds each document of a YAML stream into a ``Value`` tree straight from libyaml's events,
/// with stacks of its own (no recursion, however deep the nesting): the open maps and lists,
/// and below them their finished entries, moved into a dictionary or array of exactly their
/// size when the map or list closes. It notes the lines ``DocumentLines`` keeps on the way.
///
/// Map keys are the scalars' text, whatever their style or tag. A document with a duplicate
/// key, a key that is a map or a list, or an alias is ``YAMLDocument/invalid(line:message:)``;
/// the next document is read all the same. A YAML syntax error ends the stream.
struct DocumentBuilder {
    /// A map's entry waiting for its map to close.
    struct Entry {
        var key: String
        var value: Value
        var line: Int
    }

    private let parser: YAMLParser
    private var frames: [BuilderFrame] = []
    private let entries = MoveStack<Entry>(capacity: 256)
    private let items = MoveStack<Value>(capacity: 256)

    init(bytes: UnsafeRawBufferPointer) {
        parser = YAMLParser(bytes: bytes)
        frames.reserveCapacity(32)
    }

    /// The next document, or nil after the last.
    /// - Throws: ``YAMLError`` when libyaml cannot read the stream further.
    mutating func next() throws(YAMLError) -> YAMLDocument? {
        while true {
            switch try parser.next().kind {
            case .documentStart: return try document()
            case .streamEnd, .none: return nil
            default: continue
            }
        }
    }

    private mutating func document() throws(YAMLError) -> YAMLDocument {
        clear()
        while true {
            let event = try parser.next()
            let line = event.line
            let value: Value
            switch event.kind {
            case .scalar:
                let top = frames.count - 1
                if top >= 0 && frames[top].isMap && frames[top].key == nil {
                    frames[top].key = String(decoding: event.scalarBytes, as: UTF8.self)
                    frames[top].keyLine = line
                    continue
                }
                value = ScalarResolver.value(
                    event.scalarBytes, tag: event.scalarTag, quotedImplicit: event.scalarIsQuotedImplicit, plain: event.scalarIsPlain)
                if top < 0 { return try end(value, DocumentLines(line: line)) }
                attach(value, line: line, lines: nil)
            case .mappingStart, .sequenceStart:
                let isMap = event.kind == .mappingStart
                let top = frames.count - 1
                var chain = false
                if top < 0 {
                    chain = isMap
                } else if frames[top].isMap {
                    guard frames[top].key != nil else { return try skip(line, "map keys must be strings") }
                    chain = !isMap && frames[top].lines != nil && frames[top].key == "items"
                } else {
                    chain = isMap && frames[top].lines != nil
                }
                frames.append(
                    BuilderFrame(
                        isMap: isMap, line: line, start: isMap ? entries.count : items.count,
                        lines: chain ? DocumentLines(line: line) : nil))
            case .mappingEnd:
                let frame = frames.removeLast()
                var map = [String: Value](minimumCapacity: entries.count - frame.start)
                var duplicate: Entry?
                entries.pop(from: frame.start) { entry in
                    if map.updateValue(entry.value, forKey: entry.key) != nil && duplicate == nil { duplicate = entry }
                }
                if let duplicate { return try skip(duplicate.line, "duplicate key \"\(duplicate.key)\"") }
                if frames.isEmpty { return try end(.object(map), frame.lines ?? DocumentLines(line: frame.line)) }
                attach(.object(map), line: frame.line, lines: frame.lines)
            case .sequenceEnd:
                let frame = frames.removeLast()
                let list = Value.array(items.popArray(from: frame.start))
                if frames.isEmpty { return try end(list, DocumentLines(line: frame.line)) }
                attach(list, line: frame.line, lines: frame.lines)
            case .alias:
                return try skip(line, "YAML aliases are not supported")
            case .none, .streamEnd:
                throw YAMLError(stage: .parser, problem: "the stream ended inside a document", line: line, column: 1)
            default:
                continue
            }
        }
    }

    /// Puts a finished node into the map or list on top of the stack.
    @inline(__always)
    private mutating func attach(_ value: consuming Value, line: Int, lines: DocumentLines?) {
        let top = frames.count - 1
        if frames[top].isMap {
            entries.push(Entry(key: frames[top].key.take()!, value: value, line: frames[top].keyLine))
            // Only the `items` list of a map on the chain has lines of its own.
            if let lines { frames[top].lines?.items = lines.items }
        } else {
            items.push(value)
            if frames[top].lines != nil { frames[top].lines!.items.append(lines ?? DocumentLines(line: line)) }
        }
    }

    /// The root is done: the next event closes the document.
    private mutating func end(_ value: Value, _ lines: DocumentLines) throws(YAMLError) -> YAMLDocument {
        _ = try parser.next()
        return .value(value, lines)
    }

    /// Drops the rest of a document Flotilla does not take.
    private mutating func skip(_ line: Int, _ message: String) throws(YAMLError) -> YAMLDocument {
        clear()
        while true {
            switch try parser.next().kind {
            case .documentEnd, .streamEnd, .none: return .invalid(line: line, message: message)
            default: continue
            }
        }
    }

    private mutating func clear() {
        frames.removeAll(keepingCapacity: true)
        entries.removeAll()
        items.removeAll()
    }
}
