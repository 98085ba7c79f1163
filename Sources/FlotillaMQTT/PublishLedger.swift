/// QoS 1 publishes between `mosquitto_publish` and their PUBACK, including the race between the
/// publishing thread learning the message id and the driver thread reading the PUBACK.
///
/// Guarded by the connection's `Mutex`; it never resumes a continuation itself, it hands them out.
struct PublishLedger {
    /// Tickets waiting for their PUBACK, by message id.
    var waiters: [Int32: CheckedContinuation<Void, any Error>] = [:]
    /// PUBACKs that arrived before their publisher recorded the id.
    var early: [Int32: MQTTReasonCode] = [:]
    /// Publishes sent and recorded, whose ticket has not started waiting yet.
    var awaiting: Set<Int32> = []
    /// PUBACK outcomes of `awaiting` publishes, kept until their ticket waits.
    var done: [Int32: MQTTReasonCode] = [:]
    /// Sends under way: while any is, an unknown id's PUBACK may be one of theirs.
    var registering = 0

    /// A PUBACK arrived; returns the waiter to resume, if one is waiting already.
    mutating func acknowledged(mid: Int32, reason: MQTTReasonCode) -> CheckedContinuation<Void, any Error>? {
        if let waiter = waiters.removeValue(forKey: mid) { return waiter }
        if awaiting.remove(mid) != nil {
            done[mid] = reason
        } else if registering > 0 {
            // Sent but `recordSent` has not run yet; it settles this under the lock.
            early[mid] = reason
        }
        return nil
    }

    mutating func beginSend() { registering += 1 }

    /// The send failed: no id to record.
    mutating func abandonSend() {
        registering -= 1
        // Nothing is left behind for ids nobody records (QoS 0, `send`) once no send is in flight.
        if registering == 0 { early.removeAll() }
    }

    /// The send returned `mid`: settle the race with the driver thread.
    mutating func recordSent(mid: Int32) {
        registering -= 1
        if let reason = early.removeValue(forKey: mid) { done[mid] = reason } else { awaiting.insert(mid) }
        if registering == 0 { early.removeAll() }
    }

    /// How a ticket that starts waiting is settled at once.
    enum Settled {
        case acknowledged(MQTTReasonCode)
        /// The connection is stopping or the wait was cancelled, and no PUBACK came first.
        case refused
    }

    /// A ticket starts waiting: its PUBACK's outcome if it came already; else `refused` when
    /// `refusing`, else the waiter is kept (`nil`).
    mutating func wait(mid: Int32, _ waiter: CheckedContinuation<Void, any Error>, refusing: Bool) -> Settled? {
        awaiting.remove(mid)
        if let reason = done.removeValue(forKey: mid) { return .acknowledged(reason) }
        if refusing { return .refused }
        waiters[mid] = waiter
        return nil
    }

    mutating func discard(mid: Int32) {
        awaiting.remove(mid)
        done.removeValue(forKey: mid)
    }

    mutating func takeAllWaiters() -> [CheckedContinuation<Void, any Error>] {
        defer { waiters.removeAll() }
        return Array(waiters.values)
    }

    /// Resumes a ticket with its PUBACK's outcome: a reason code of 0x80 or more is a rejection.
    static func finish(_ waiter: CheckedContinuation<Void, any Error>, reason: MQTTReasonCode) {
        guard reason.isFailure else { return waiter.resume() }
        var error = MQTTError(
            operation: "publish", code: .rejected(reasonCode: reason.rawValue),
            message: "broker rejected the message: \(reason) (reason code \(reason.rawValue))")
        error.reasonCode = reason
        waiter.resume(throwing: error)
    }
}
