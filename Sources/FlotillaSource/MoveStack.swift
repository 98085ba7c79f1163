/// A stack whose elements are moved out, never copied: where ``DocumentBuilder`` keeps the
/// entries of every open map and list, so that each one is built at its exact size when it
/// closes (no growing, no rehashing, no retain and release per element).
final class MoveStack<Element> {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inline(__always) func push(_ element: consuming Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    /// Moves the elements from `start` up, oldest first, into a new array.
    func popArray(from start: Int) -> [Element] {
        let n = count - start
        let out = [Element](unsafeUninitializedCapacity: n) { buffer, initialized in
            buffer.baseAddress!.moveInitialize(from: base + start, count: n)
            initialized = n
        }
        count = start
        return out
    }

    /// Hands the elements from `start` up to `body`, oldest first, moved.
    @inline(__always) func pop(from start: Int, _ body: (consuming Element) -> Void) {
        for i in start..<count { body((base + i).move()) }
        count = start
    }

    /// Drops everything.
    func removeAll() {
        base.deinitialize(count: count)
        count = 0
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity *= 2
    }
}
