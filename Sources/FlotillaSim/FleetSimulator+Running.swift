import Foundation

extension FleetSimulator {
    /// Starts reading every spoke's messages and events, connects the spokes at the configured
    /// rate, and runs the resend sweep and (with a flaky fraction) the flaps. Returns at once;
    /// the connections keep coming at their rate. A second call does nothing.
    public func start() {
        let spokes = self.spokes
        let first = tasks.withLock { t in
            guard t.readers == nil, !t.stopped else { return false }
            t.readers = Task {
                await withTaskGroup(of: Void.self) { group in
                    for spoke in spokes {
                        group.addTask { await spoke.consumeMessages() }
                        group.addTask { await spoke.consumeEvents() }
                    }
                }
            }
            return true
        }
        guard first else { return }
        let control = Task { [self] in
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.connectAll() }
                group.addTask { await self.sweep() }
                if configuration.flakyFraction > 0 { group.addTask { await self.flapPeriodically() } }
            }
        }
        tasks.withLock { $0.control = control }
    }

    /// Stops: the periodic work, then each connected spoke announces itself offline (as the
    /// agent does on a graceful stop) and disconnects cleanly. Returns when every reader has
    /// ended. Counts stay readable.
    public func stop() async {
        let (readers, control, first) = tasks.withLock { t in
            defer { t.stopped = true }
            return (t.readers, t.control, !t.stopped)
        }
        guard first else {
            await readers?.value
            return
        }
        control?.cancel()
        await control?.value
        for spoke in spokes { _ = spoke.announceOffline() }
        await stopDriver()
        // Connections the ramp never started end here (the driver stopped the others).
        for spoke in spokes { await spoke.connection.stop() }
        await readers?.value
    }

    /// Drops the connection of a random `fraction` of all spokes, chosen among those connected:
    /// the socket is shut down with no DISCONNECT, so the broker publishes each one's will, and
    /// each reconnects after its backoff. Returns how many were dropped.
    @discardableResult
    public func flap(fraction: Double) -> Int {
        let wanted = Int((Double(spokes.count) * min(max(fraction, 0), 1)).rounded())
        guard wanted > 0 else { return 0 }
        var dropped = 0
        for spoke in spokes.filter(\.isConnected).shuffled().prefix(wanted) where spoke.connection.breakConnection() {
            dropped += 1
        }
        tally.update { $0.flaps += dropped }
        return dropped
    }

    private func connectAll() async {
        let rate = configuration.connectRate
        let batch = rate <= 0 ? spokes.count : max(1, rate / 20)
        var next = 0
        while next < spokes.count, !Task.isCancelled {
            let end = min(next + batch, spokes.count)
            for spoke in spokes[next..<end] {
                do {
                    try spoke.start()
                } catch {
                    logger.error("cannot start spoke", metadata: ["spoke": "\(spoke.name)", "error": "\(error)"])
                }
            }
            tally.update { $0.started += end - next }
            next = end
            if next < spokes.count { try? await Task.sleep(for: .milliseconds(50)) }
        }
    }

    /// Resends what the hub has not acknowledged for `resendInterval`, spoke by spoke, each second.
    private func sweep() async {
        let tick = Duration.milliseconds(Int64(min(1, max(0.05, configuration.resendInterval / 2)) * 1000))
        while !Task.isCancelled {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            for spoke in spokes {
                if Task.isCancelled { return }
                spoke.resendIfStalled(now: now)
            }
        }
    }

    private func flapPeriodically() async {
        let period = Duration.milliseconds(Int64(max(0.1, configuration.flapSeconds) * 1000))
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            if Task.isCancelled { return }
            let dropped = flap(fraction: configuration.flakyFraction)
            logger.info("flapped", metadata: ["dropped": "\(dropped)"])
        }
    }
}
