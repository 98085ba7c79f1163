/// Deadlines of reconnect attempts, earliest first (a binary min-heap), so a driver of thousands of
/// connections finds the next one without scanning them all. Entries are never removed early:
/// whoever pops one checks it still applies.
struct TimerQueue {
    typealias Instant = ContinuousClock.Instant
    private var heap: [(deadline: Instant, token: UInt64)] = []

    var isEmpty: Bool { heap.isEmpty }
    var next: Instant? { heap.first?.deadline }

    mutating func schedule(_ token: UInt64, at deadline: Instant) {
        heap.append((deadline, token))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// The earliest entry if it is due at `now`.
    mutating func popDue(_ now: Instant) -> (deadline: Instant, token: UInt64)? {
        guard let first = heap.first, first.deadline <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
                if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}
