import Dispatch

/// Runs CPU-bound or blocking work on a Dispatch queue, off Swift's cooperative pool, so the
/// hub's message handling and HTTP keep their threads while thousands of envelopes are built.
enum BlockingWork {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            DispatchQueue.global(qos: .userInitiated).async { c.resume(with: Result { try body() }) }
        }
    }
}
