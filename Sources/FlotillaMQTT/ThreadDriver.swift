import CMosquitto
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Gives each connection a thread of its own (never Swift's cooperative pool): a blocking
/// connect, then a `poll(2)` loop over the socket and a wake-up eventfd until the connection is
/// lost, then the backoff sleep, until the connection stops.
///
/// Unlike libmosquitto's `loop_start` thread it survives authentication and TLS failures. It
/// does not use `mosquitto_loop`, whose `select` refuses sockets numbered 1024 and above
/// (`MOSQ_ERR_INVAL`), which a process with many other files reaches; many connections in one
/// process still belong on an ``EpollDriver``.
public final class ThreadDriver: MQTTDriver {
    /// The loop thread of one connection: its wake-up from a backoff sleep, and its end.
    private struct Loop: Sendable {
        let wake = DispatchSemaphore(value: 0)
        let finished = Completion()
        /// Written when a packet is queued from another thread, so the poll wakes at once.
        let output = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
    }

    private let loops = Mutex<[ObjectIdentifier: Loop]>([:])

    public init() {}

    public func attach(_ connection: MQTTConnection) {
        let loop = Loop()
        loops.withLock { $0[ObjectIdentifier(connection)] = loop }
        let thread = Thread {
            Self.drive(connection, wake: loop.wake, output: loop.output)
            if loop.output >= 0 { close(loop.output) }
            loop.finished.finish()
        }
        thread.name = "mqtt-\(connection.configuration.clientID)"
        thread.start()
    }

    public func detach(_ connection: MQTTConnection) async {
        guard let loop = loops.withLock({ $0.removeValue(forKey: ObjectIdentifier(connection)) }) else { return }
        loop.wake.signal()
        await loop.finished.wait()
    }

    /// Wakes the connection's poll so the queued packet is written now.
    public func connectionHasOutput(_ connection: MQTTConnection) {
        guard let loop = loops.withLock({ $0[ObjectIdentifier(connection)] }), loop.output >= 0 else { return }
        _ = eventfd_write(loop.output, 1)
    }

    /// One round of what `mosquitto_loop` does, with `poll`: waits up to `timeout` for the
    /// socket or the wake-up, reads, writes what is queued, and keeps the connection alive.
    static func pollOnce(_ handle: MosquittoHandle, output: Int32, timeoutMilliseconds: Int32) -> MosquittoResult {
        let socket = handle.socket
        guard socket >= 0 else { return MosquittoResult(code: MosquittoCode(rawValue: Int32(MOSQ_ERR_NO_CONN.rawValue)), errno: 0) }
        var fds = [
            pollfd(fd: socket, events: Int16(POLLIN) | (handle.wantsWrite ? Int16(POLLOUT) : 0), revents: 0),
            pollfd(fd: output, events: Int16(POLLIN), revents: 0),
        ]
        let ready = poll(&fds, output >= 0 ? 2 : 1, timeoutMilliseconds)
        if ready < 0 {
            let code = currentErrno()
            if code != EINTR { return MosquittoResult(code: MosquittoCode(rawValue: Int32(MOSQ_ERR_ERRNO.rawValue)), errno: code) }
        }
        if fds[1].revents & Int16(POLLIN) != 0 {
            var drained: eventfd_t = 0
            _ = eventfd_read(output, &drained)
        }
        let broken = Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)
        if fds[0].revents & broken != 0 {
            let read = handle.loopRead()
            guard read.isSuccess else { return read }
        }
        if handle.socket == socket, handle.wantsWrite {
            let written = handle.loopWrite()
            guard written.isSuccess else { return written }
        }
        return handle.loopMisc()
    }

    private static func drive(_ connection: MQTTConnection, wake: DispatchSemaphore, output: Int32) {
        while true {
            let delay: Double
            switch connection.beginAttempt(blocking: true) {
            case .stopped: return
            case .retry(let after): delay = after
            case .started:
                var result = MosquittoResult.success
                while connection.keepsLooping {
                    result = Self.pollOnce(connection.handle, output: output, timeoutMilliseconds: 200)
                    if !result.isSuccess { break }
                }
                guard let after = connection.endAttempt(result) else { return }
                delay = after
            }
            // `detach` signals to cut the sleep short; the next `beginAttempt` then sees the stop.
            _ = wake.wait(timeout: .now() + delay)
        }
    }
}
