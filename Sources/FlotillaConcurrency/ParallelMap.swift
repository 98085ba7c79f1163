import Dispatch

/// Maps `0..<count` on every core. Planning is pure, so spokes (or groups) can render side by side.
public enum ParallelMap {
    /// `body(i)` for every `i`, in index order; serial below `serialBelow` items, where starting
    /// threads costs more than it saves.
    public static func map<T: Sendable>(_ count: Int, serialBelow: Int = 64, _ body: @Sendable (Int) -> T) -> [T] {
        guard count >= serialBelow else { return (0..<count).map(body) }
        let chunks = min(count, 64)
        let results = [T?](unsafeUninitializedCapacity: count) { buffer, initialized in
            let slots = Slots(buffer: buffer)
            for i in 0..<count { (buffer.baseAddress! + i).initialize(to: nil) }
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var i = chunk * count / chunks
                let end = (chunk + 1) * count / chunks
                while i < end {
                    slots.set(i, body(i))
                    i += 1
                }
            }
            initialized = count
        }
        return results.map { $0! }
    }

    /// Each slot is written by exactly one iteration, and `concurrentPerform` returns only after
    /// every iteration has finished, so no two threads touch the same memory and the reader sees
    /// every write: that is why sharing the buffer across threads is safe.
    private struct Slots<T>: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<T?>
        func set(_ i: Int, _ value: T) { buffer[i] = value }
    }
}
