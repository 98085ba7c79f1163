import Dispatch

/// Runs blocking file-system work on a dedicated serial queue, off Swift's cooperative pool.
enum BlockingIO {
    private static let queue = DispatchQueue(label: "flotilla.agent.io")

    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { c in
            queue.async { c.resume(returning: body()) }
        }
    }
}
