import FlotillaWire

extension SimulatedSpoke {
    /// Publishes the reports after `sentThrough` in order, keeping at most `window` unacknowledged.
    /// Nothing is deleted here: only an ack deletes.
    func pump(_ s: inout SpokeState) {
        guard s.connected else { return }
        var room = fleet.window - Int(s.sentThrough - s.acked)
        guard room > 0 else { return }
        // Nothing was in flight: the stall clock starts now, not at the last ack (which may be
        // long ago, and would make the next sweep resend what just went out).
        if s.sentThrough <= s.acked { s.lastProgress = .now }
        let topic = fleet.topics.status(name)
        var (sent, resent) = (0, 0)
        var i = s.outbox.firstIndex(after: max(s.sentThrough, s.acked))
        while room > 0, i < s.outbox.count {
            let entry = s.outbox.entries[i]
            do {
                try connection.send(topic: topic, payload: entry.body, qos: 1)
            } catch {
                fleet.logger.warning("cannot queue report", metadata: ["spoke": "\(name)", "seq": "\(entry.seq)", "error": "\(error)"])
                break
            }
            s.sentThrough = entry.seq
            if s.outbox.markSent(at: i) { resent += 1 }
            sent += 1
            room -= 1
            i += 1
        }
        guard sent > 0 else { return }
        fleet.tally.update { c in
            c.reportsSent += sent
            c.resends += resent
        }
    }

    /// "Acks, at the spoke", rules 1–5.
    func acknowledge(_ ack: Ack) {
        state.withLock { s in
            guard ack.epoch == s.epochText else { return }
            // A collision notice matters whatever its number; a plain ack only when it moves.
            guard ack.seq > s.acked || ack.newEpoch == true else { return }
            var foreign = ack.newEpoch == true || ack.seq > s.lastSeq
            if !foreign, let hash = ack.hash, let body = s.outbox.body(at: ack.seq) {
                foreign = StatusReport.digest(of: body) != hash
            }
            if foreign {
                fleet.logger.warning("the hub holds another history; pending reports renumbered under a new epoch", metadata: ["spoke": "\(name)"])
                s.startNewEpoch()
                fleet.tally.update { $0.epochsStarted += 1 }
                announce(&s)
            } else {
                let deleted = s.outbox.removeThrough(ack.seq)
                s.acked = ack.seq
                s.lastProgress = .now
                if s.sentThrough < s.acked { s.sentThrough = s.acked }
                fleet.tally.update { $0.reportsAcked += deleted }
            }
            pump(&s)
        }
    }

    /// Starts again from the watermark when the hub has not acknowledged for a while (the broker
    /// may have dropped reports after its PUBACK), announcing presence first as the agent does.
    func resendIfStalled(now: ContinuousClock.Instant) {
        state.withLock { s in
            guard s.connected else { return }
            guard s.sentThrough > s.acked else {
                pump(&s)
                return
            }
            guard now - s.lastProgress > fleet.resendInterval else { return }
            announce(&s)
            s.sentThrough = s.acked
            s.lastProgress = now
            pump(&s)
        }
    }
}
