import Foundation
import Synchronization

/// Gives each connection a thread of its own running libmosquitto's `mosquitto_loop` (never
/// Swift's cooperative pool): a blocking connect, then the loop until the connection is lost,
/// then the backoff sleep, until the connection stops.
///
/// Unlike libmosquitto's `loop_start` thread it survives authentication and TLS failures. It
/// relies on `select`, so each socket must be below FD_SETSIZE (1024); many connections in one
/// process belong on an ``EpollDriver``.
public final class ThreadDriver: MQTTDriver {
    /// The loop thread of one connection: its wake-up from a backoff sleep, and its end.
    private struct Loop: Sendable {
        let wake = DispatchSemaphore(value: 0)
        let finished = Completion()
    }

    private let loops = Mutex<[ObjectIdentifier: Loop]>([:])

    public init() {}

    public func attach(_ connection: MQTTConnection) {
        let loop = Loop()
        loops.withLock { $0[ObjectIdentifier(connection)] = loop }
        let thread = Thread {
            Self.drive(connection, wake: loop.wake)
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

    /// Nothing to do: `mosquitto_loop` wakes on libmosquitto's own socket pair when a packet is queued.
    public func connectionHasOutput(_ connection: MQTTConnection) {}

    private static func drive(_ connection: MQTTConnection, wake: DispatchSemaphore) {
        while true {
            let delay: Double
            switch connection.beginAttempt(blocking: true) {
            case .stopped: return
            case .retry(let after): delay = after
            case .started:
                var result = MosquittoResult.success
                while connection.keepsLooping {
                    result = connection.handle.loop(timeoutMilliseconds: 200)
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
