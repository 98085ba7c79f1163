#if os(Linux)
import CMosquitto
import Foundation

/// An epoll instance and the eventfd that wakes its waiter, both closed when this goes away.
/// Every system call reads errno right after it returns.
///
/// Sendable: it holds two descriptors that never change; the kernel serialises the calls.
final class Epoll: Sendable {
    private let epoll: Int32
    private let wakeFD: Int32
    /// The token the wake-up eventfd reports with; connection tokens start above it.
    static let wakeToken: UInt64 = 0

    init() throws(MQTTError) {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw MQTTError(operation: "epoll_create1", systemError: currentErrno()) }
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            let captured = currentErrno()
            close(epoll)
            throw MQTTError(operation: "eventfd", systemError: captured)
        }
        if let error = control(EPOLL_CTL_ADD, wakeFD, token: Self.wakeToken, events: EPOLLIN.rawValue) {
            close(wakeFD)
            close(epoll)
            throw error
        }
    }

    deinit {
        close(wakeFD)
        close(epoll)
    }

    /// `EPOLL_CTL_ADD`, `_MOD` or `_DEL`; the error, if any, with its errno.
    func control(_ operation: Int32, _ fd: Int32, token: UInt64 = 0, events: UInt32 = 0) -> MQTTError? {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        guard epoll_ctl(epoll, operation, fd, &event) == 0 else {
            return MQTTError(operation: "epoll_ctl(\(operation), \(fd))", systemError: currentErrno())
        }
        return nil
    }

    /// Waits up to `timeoutMilliseconds` and fills `events`; returns how many are ready (0 when
    /// interrupted by a signal).
    func wait(_ events: inout [epoll_event], timeoutMilliseconds: Int32) throws(MQTTError) -> Int {
        let count = events.withUnsafeMutableBufferPointer { buffer in
            epoll_wait(epoll, buffer.baseAddress, Int32(buffer.count), timeoutMilliseconds)
        }
        if count >= 0 { return Int(count) }
        let captured = currentErrno()
        if captured == EINTR { return 0 }
        throw MQTTError(operation: "epoll_wait", systemError: captured)
    }

    /// Makes the waiter's `epoll_wait` return (from any thread).
    func wake() {
        var one: UInt64 = 1
        // EAGAIN means the counter is full, i.e. a wake-up is pending already: nothing lost.
        _ = write(wakeFD, &one, MemoryLayout<UInt64>.size)
    }

    /// Resets the wake-up counter, so that the next `wake` fires again.
    func drainWake() {
        var value: UInt64 = 0
        _ = read(wakeFD, &value, MemoryLayout<UInt64>.size)
    }
}
#endif
