import Foundation
import Logging
import Synchronization

/// Keeps every log line of a service under test, so a test can check what an operator would
/// read: that a refusal names the spoke and the field, and that a flood is rate-limited.
public final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])

    public init() {}

    /// Every line so far, as `LEVEL message key=value…` with the metadata sorted.
    public var all: [String] { lines.withLock { $0 } }

    /// The lines containing every one of `parts`.
    public func lines(containing parts: String...) -> [String] {
        all.filter { line in parts.allSatisfy { line.contains($0) } }
    }

    /// A logger that records into this recorder (and nowhere else).
    public func logger(label: String) -> Logger {
        var logger = Logger(label: label) { _ in Handler(recorder: self) }
        logger.logLevel = .debug
        return logger
    }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            recorder.append("\(event.level) \(event.message) \(fields)")
        }
    }
}
