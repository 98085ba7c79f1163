extension MQTTConnection {
    /// Publishes and, for QoS 1, returns when the broker's PUBACK arrives.
    ///
    /// While disconnected the message stays queued in libmosquitto and goes out after the
    /// reconnect (so this call may wait long); it is never sent twice by this method.
    /// - Throws: ``MQTTError`` if the message cannot be queued, the broker rejects it, or the
    ///   connection stops first.
    public func publish(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false) async throws {
        if qos == 0 {
            _ = try send(topic: topic, payload: payload, qos: 0, retain: retain)
            return
        }
        try await enqueue(topic: topic, payload: payload, retain: retain).acknowledged()
    }

    /// Hands a QoS 1 message to libmosquitto now, in call order, and returns a ticket whose
    /// ``PendingPublish/acknowledged()`` waits for the PUBACK. Call it exactly once.
    /// - Throws: ``MQTTError`` if libmosquitto refuses the message.
    public func enqueue(topic: String, payload: [UInt8], retain: Bool = false) throws(MQTTError) -> PendingPublish {
        core.state.withLock { $0.publishes.beginSend() }
        let mid: Int32
        do {
            mid = try send(topic: topic, payload: payload, qos: 1, retain: retain)
        } catch {
            core.state.withLock { $0.publishes.abandonSend() }
            throw error
        }
        core.state.withLock { $0.publishes.recordSent(mid: mid) }
        return PendingPublish(mid: mid, connection: self)
    }

    /// Queues a publish without waiting; returns libmosquitto's message id.
    /// - Throws: ``MQTTError`` if libmosquitto refuses the message. Not being connected is no
    ///   error: the message is queued and goes out after the reconnect.
    @discardableResult
    public func send(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false) throws(MQTTError) -> Int32 {
        let (result, mid) = handle.publish(topic: topic, payload: payload, qos: qos, retain: retain)
        // NO_CONN still queues the message: it goes out after reconnect. Retrying would duplicate it.
        if result.code != .noConnection { try handle.check("publish \(topic)", result) }
        driver.connectionHasOutput(self)
        return mid
    }

    func waitForAck(mid: Int32) async throws {
        let core = self.core
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Void, any Error>) in
                let settled = core.state.withLock { s in
                    let refusing = s.stopRequested || Task.isCancelled
                    return s.publishes.wait(mid: mid, waiter, refusing: refusing)
                }
                switch settled {
                case .acknowledged(let reason)?: PublishLedger.finish(waiter, reason: reason)
                case .refused?:
                    waiter.resume(throwing: MQTTError(operation: "publish", code: .stopped, message: "client stopped or wait cancelled"))
                case nil: break
                }
            }
        } onCancel: {
            // Resume only if the waiter is still registered: never twice.
            let waiter = core.state.withLock { $0.publishes.waiters.removeValue(forKey: mid) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Forgets a ticket whose PUBACK nobody will wait for.
    func discard(mid: Int32) {
        core.state.withLock { $0.publishes.discard(mid: mid) }
    }
}
