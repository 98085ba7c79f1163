import Logging
import Synchronization

/// The part of a connection that libmosquitto's callbacks reach: shared state behind a `Mutex`
/// and the stream continuations (which are thread-safe). It holds no reference to the handle, so
/// the handle (which holds it) and the connection go away together.
final class ConnectionCore: MosquittoDelegate {
    let state: Mutex<ConnectionState>
    let messages: AsyncStream<MQTTMessage>.Continuation
    let events: AsyncStream<MQTTEvent>.Continuation
    let logger: Logger

    init(
        backoff: ReconnectBackoff, messages: AsyncStream<MQTTMessage>.Continuation,
        events: AsyncStream<MQTTEvent>.Continuation, logger: Logger
    ) {
        state = Mutex(ConnectionState(backoff: backoff))
        self.messages = messages
        self.events = events
        self.logger = logger
    }

    func mosquittoConnected(_ handle: MosquittoHandle, reason: MQTTReasonCode, sessionPresent: Bool) {
        guard reason == .success else {
            state.withLock { $0.lastRefusal = reason.description }
            var error = MQTTError(
                operation: "connect", code: reason.isAuthorizationFailure ? .notAuthorized : .connectionRefused,
                message: "broker refused the connection: \(reason)")
            error.reasonCode = reason
            events.yield(.connectFailed(error))
            return
        }
        // Marked connected in the same critical section that reads the list, so a concurrent
        // `subscribe` either is in the list or sees `connected` and sends its own SUBSCRIBE.
        let subscriptions = state.withLock { s in
            s.connected = true
            s.acceptedThisAttempt = true
            s.lastRefusal = nil
            s.backoff.reset()
            s.counters.connects += 1
            s.counters.resubscribes += s.subscriptions.count
            return s.subscriptions
        }
        // Subscribe again on every connect, before anyone hears of it: a session the broker
        // lost (restart without persistence) must not leave us deaf.
        for sub in subscriptions {
            let result = handle.subscribe(sub.filter, qos: sub.qos)
            if !result.isSuccess {
                logger.warning("cannot renew subscription", metadata: ["filter": "\(sub.filter)", "error": "\(MQTTError(operation: "subscribe", result))"])
            }
        }
        events.yield(.connected(sessionPresent: sessionPresent))
    }

    func mosquittoDisconnected(_ handle: MosquittoHandle, rc: Int32, errno: Int32) {
        let wasConnected = state.withLock { s in
            defer { s.connected = false }
            return s.connected
        }
        // A connection that never got its CONNACK (refused, or a failed TLS handshake) is
        // reported once, by the driver at the end of the attempt, as `connectFailed`.
        guard wasConnected else { return }
        let reason: String
        if rc == 0 {
            reason = "disconnected"
        } else if rc >= 0x80 {
            reason = explained("the broker disconnected: \(MQTTReasonCode(rawValue: rc))")
        } else {
            reason = explained(MosquittoCode(rawValue: rc).text(errno: errno))
        }
        events.yield(.disconnected(reason: reason))
    }

    func mosquittoPublished(mid: Int32, reason: MQTTReasonCode) {
        let waiter = state.withLock { $0.publishes.acknowledged(mid: mid, reason: reason) }
        if let waiter { PublishLedger.finish(waiter, reason: reason) }
    }

    func mosquittoSubscribed(mid: Int32, granted: [Int32]) {
        state.withLock { $0.counters.subacks += 1 }
        if let refused = granted.first(where: { $0 >= 0x80 }) {
            logger.warning("subscription refused", metadata: ["reason": "\(MQTTReasonCode(rawValue: refused))"])
        }
    }

    func mosquittoReceived(_ message: MQTTMessage) {
        messages.yield(message)
    }

    func mosquittoLogged(_ line: String) {
        state.withLock { s in
            if s.errorLog.count >= 8 { s.errorLog.removeFirst() }
            s.errorLog.append(line)
        }
    }

    /// Takes the error lines logged since the last call.
    func takeErrorLog() -> [String] {
        state.withLock { s in
            defer { s.errorLog.removeAll() }
            return s.errorLog
        }
    }

    /// `base` followed by what libmosquitto logged about it, if anything:
    /// "A TLS error occurred: OpenSSL Error[0]: error:0A000086:SSL routines::certificate verify failed".
    func explained(_ base: String) -> String {
        explained(base, lines: takeErrorLog())
    }

    func explained(_ base: String, lines: [String]) -> String {
        guard !lines.isEmpty else { return base }
        let head = base.hasSuffix(".") ? String(base.dropLast()) : base
        return "\(head): \(lines.joined(separator: "; "))"
    }

    /// Fails every ticket still waiting for a PUBACK.
    func failAll(_ error: MQTTError) {
        let waiters = state.withLock { $0.publishes.takeAllWaiters() }
        for waiter in waiters { waiter.resume(throwing: error) }
    }
}
