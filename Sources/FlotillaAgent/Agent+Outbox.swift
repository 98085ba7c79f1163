import FlotillaModel

extension Agent {
    /// Sends outbox rows after `sentThrough`, in order, keeping at most `window` unacknowledged.
    /// The outbox is the only source of retries: nothing is re-sent on a publish error.
    func pump() async {
        // One pump at a time (the actor is re-entered at every await); a call that arrives while
        // one runs makes it go round once more.
        if pumping {
            pumpAgain = true
            return
        }
        pumping = true
        defer { pumping = false }
        repeat {
            pumpAgain = false
            await pumpOnce()
        } while pumpAgain
    }

    private func pumpOnce() async {
        guard connected else { return }
        let room = configuration.window - Int(sentThrough - acked)
        guard room > 0 else { return }
        let rows: [(seq: Int64, body: [UInt8])]
        do {
            rows = try await store.pending(after: max(sentThrough, acked), limit: room)
        } catch {
            logger.error("cannot read outbox", metadata: ["error": "\(error)"])
            return
        }
        let topic = configuration.topics.status(configuration.name)
        // The stall clock starts when something goes in flight, not at the last ack: an agent
        // idle for longer than the resend interval must not resend a report it just sent.
        if sentThrough <= acked, !rows.isEmpty { lastProgress = .now }
        for row in rows {
            do {
                let ticket = try client.enqueue(topic: topic, payload: row.body)
                sentThrough = row.seq
                unacknowledged.continuation.yield(ticket)
            } catch {
                logger.warning("cannot queue report", metadata: ["seq": "\(row.seq)", "error": "\(error)"])
                return
            }
        }
    }


    /// Starts again from the watermark when the hub has not acknowledged for a while: the broker
    /// may have dropped reports (queue limits, restart) after its PUBACK.
    func resendIfStalled() async {
        guard connected, sentThrough > acked else {
            await pump()
            return
        }
        if ContinuousClock.now - lastProgress > .seconds(configuration.resendInterval) {
            logger.info("resending unacknowledged reports", metadata: ["from": "\(acked + 1)", "to": "\(sentThrough)"])
            // The hub may have lost its database and be waiting for rows deleted long ago.
            await announce()
            sentThrough = acked
            lastProgress = .now
            await pump()
        }
    }
}
