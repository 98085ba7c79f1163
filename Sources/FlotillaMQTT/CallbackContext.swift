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
        var registering = 0
        var lastRefusal: String?
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
            if s.registering > 0 {
                if s.early.count > 4096 { s.early.removeAll() }
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

    func failAll(_ error: MQTTError) {
        let waiters = state.withLock { s in
            let w = Array(s.waiters.values)
            s.waiters.removeAll()
            return w
        }
        for w in waiters { w.resume(throwing: error) }
    }
}
