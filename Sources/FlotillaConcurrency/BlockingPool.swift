import NIOPosix

/// The one bounded pool for blocking work: file I/O, source loading and planning, git, appliers.
/// Swift's cooperative pool has a thread per core and nothing else may block it, so every such
/// call goes here instead, to NIO's `NIOThreadPool` (one thread per core, started once).
public enum BlockingPool {
    /// Runs `body` on the pool and returns its result; a cancelled caller still gets the
    /// result of work that had started (blocking calls cannot be interrupted).
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(body)
    }

    /// ``run(_:)`` for work that cannot fail.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        do {
            return try await NIOThreadPool.singleton.runIfActive(body)
        } catch {
            // Only a shut-down pool fails, and the singleton is never shut down: run in place.
            return body()
        }
    }
}
