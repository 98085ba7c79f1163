internal import CLibYAML

/// The one owner of a libyaml event parser (`yaml_parser_t`), of the bytes it reads and of the
/// event it last produced: created and deleted together, never copied (libyaml's string input
/// points back into the parser, so the parser lives at a fixed address of its own).
final class YAMLParser {
    private let parser: UnsafeMutablePointer<yaml_parser_t>
    private let event: UnsafeMutablePointer<yaml_event_t>
    /// A copy of the input, alive as long as the parser reads it.
    private let input: UnsafeMutableRawBufferPointer
    private let initialized: Bool
    private var holdsEvent = false

    /// A parser over a copy of `bytes` (UTF-8, or UTF-16 with a byte order mark).
    init(bytes: UnsafeRawBufferPointer) {
        input = .allocate(byteCount: max(bytes.count, 1), alignment: 1)
        if let base = bytes.baseAddress, bytes.count > 0 {
            input.baseAddress!.copyMemory(from: base, byteCount: bytes.count)
        }
        parser = .allocate(capacity: 1)
        event = .allocate(capacity: 1)
        initialized = yaml_parser_initialize(parser) == 1
        if initialized {
            yaml_parser_set_input_string(parser, input.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
    }

    deinit {
        if holdsEvent { yaml_event_delete(event) }
        if initialized { yaml_parser_delete(parser) }
        event.deallocate()
        parser.deallocate()
        input.deallocate()
    }

    /// The next event, valid until the next call. After the stream's end libyaml repeats an
    /// empty event (``YAMLEvent/Kind/none``).
    /// - Throws: ``YAMLError`` with libyaml's texts and position; the parser is done after one.
    func next() throws(YAMLError) -> YAMLEvent {
        if holdsEvent {
            yaml_event_delete(event)
            holdsEvent = false
        }
        guard initialized else { throw YAMLError(stage: .memory, problem: "cannot allocate a YAML parser", line: 0, column: 0) }
        guard yaml_parser_parse(parser, event) == 1 else { throw error() }
        holdsEvent = true
        return YAMLEvent(raw: UnsafePointer(event))
    }

    private func error() -> YAMLError {
        let p = parser.pointee
        let problem = p.problem.map { String(cString: $0) } ?? "unknown problem"
        switch p.error {
        case YAML_MEMORY_ERROR:
            return YAMLError(stage: .memory, problem: "out of memory", line: p.problem_mark.line + 1, column: p.problem_mark.column + 1)
        case YAML_READER_ERROR:
            // A reader error has a byte offset, not a mark.
            let (line, column) = position(ofByte: p.problem_offset)
            let byte = p.problem_value == -1 ? "" : " (byte 0x\(String(p.problem_value, radix: 16, uppercase: true)))"
            return YAMLError(stage: .reader, problem: problem + byte, line: line, column: column)
        default:
            var e = YAMLError(
                stage: p.error == YAML_SCANNER_ERROR ? .scanner : .parser, problem: problem,
                line: p.problem_mark.line + 1, column: p.problem_mark.column + 1)
            if let context = p.context {
                e.context = String(cString: context)
                e.contextLine = p.context_mark.line + 1
                e.contextColumn = p.context_mark.column + 1
            }
            return e
        }
    }

    /// Line and column (1-based, in bytes) of an offset into the input.
    private func position(ofByte offset: Int) -> (Int, Int) {
        let bytes = UnsafeRawBufferPointer(input)
        let end = min(offset, bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<end where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return (line, end - lineStart + 1)
    }
}
