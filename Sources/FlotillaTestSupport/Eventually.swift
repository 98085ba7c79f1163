import Foundation

/// Waits until `condition` holds, checking every 50 ms, and fails after `timeout` seconds with
/// `what` in the message. Tests wait for events, never for fixed times.
public func eventually(
    _ what: String, timeout: Double = 30, _ condition: () async throws -> Bool
) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
        if try await condition() { return }
        guard Date() < deadline else { throw TestSupportError("timed out after \(timeout) s waiting for: \(what)") }
        try await Task.sleep(for: .milliseconds(50))
    }
}
