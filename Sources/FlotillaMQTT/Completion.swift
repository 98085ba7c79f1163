import Synchronization

/// A one-time signal from a driver thread to async code: `finish()` once, `wait()` any number of
/// times, before or after.
final class Completion: Sendable {
    private struct State {
        var done = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func finish() {
        let waiters = state.withLock { s in
            s.done = true
            defer { s.waiters.removeAll() }
            return s.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s in
                if !s.done { s.waiters.append(waiter) }
                return s.done
            }
            if done { waiter.resume() }
        }
    }
}
