import Synchronization

/// The narrow door from libmosquitto's loop thread into Swift: C callbacks find this object
/// through the handle's user pointer and only ever touch its `Mutex`-guarded state and the
/// stream continuations (which are thread-safe).
final class CallbackContext: Sendable {
    struct State {
        var connected = false
        var subscriptions: [(filter: String, qos: Int32)] = []
        /// QoS 1 publishes waiting for their PUBACK, by message id.
        var waiters: [Int32: CheckedContinuation<Void, any Error>] = [:]
        /// PUBACKs that arrived before their publisher registered (the race between
        /// `mosquitto_publish` returning the id and the loop thread reading the PUBACK).
        var early: [Int32: Int32] = [:]
        /// Publishes sent and registered, whose ticket has not started waiting yet.
        var awaiting: Set<Int32> = []
        /// PUBACK outcomes of `awaiting` publishes, kept until their ticket waits.
        var done: [Int32: Int32] = [:]
        var registering = 0
        var lastRefusal: String?
        /// libmosquitto's error log lines since the current connection attempt began (OpenSSL's
        /// reasons for a failed handshake, a key that does not load). Bounded.
        var errorLog: [String] = []
    }

    let state = Mutex(State())
    let messages: AsyncStream<MQTTMessage>.Continuation
    let events: AsyncStream<MQTTEvent>.Continuation

    init(messages: AsyncStream<MQTTMessage>.Continuation, events: AsyncStream<MQTTEvent>.Continuation) {
        self.messages = messages
        self.events = events
    }

    func published(mid: Int32, reasonCode: Int32) {
        let waiter: CheckedContinuation<Void, any Error>? = state.withLock { s in
            if let w = s.waiters.removeValue(forKey: mid) { return w }
            if s.awaiting.remove(mid) != nil {
                s.done[mid] = reasonCode
            } else if s.registering > 0 {
                // Sent but `enqueue` has not recorded the id yet; it settles this under the lock.
                s.early[mid] = reasonCode
            }
            return nil
        }
        guard let waiter else { return }
        Self.finish(waiter, reasonCode: reasonCode)
    }

    static func finish(_ waiter: CheckedContinuation<Void, any Error>, reasonCode: Int32) {
        if reasonCode >= 0x80 {
            waiter.resume(
                throwing: MQTTError(
                    operation: "publish", code: .rejected(reasonCode: reasonCode),
                    message: "broker rejected the message (reason code \(reasonCode))"))
        } else {
            waiter.resume()
        }
    }

    /// Records one of libmosquitto's error log lines (called on whichever thread logs it).
    func logged(_ line: String) {
        state.withLock { s in
            if s.errorLog.count >= 8 { s.errorLog.removeFirst() }
            s.errorLog.append(line)
        }
    }

    /// Takes the error lines logged since the last call.
    func takeErrorLog() -> [String] {
        state.withLock { s in
            let lines = s.errorLog
            s.errorLog.removeAll()
            return lines
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

    func failAll(_ error: MQTTError) {
        let waiters = state.withLock { s in
            let w = Array(s.waiters.values)
            s.waiters.removeAll()
            return w
        }
        for w in waiters { w.resume(throwing: error) }
    }
}
