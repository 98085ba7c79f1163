import FlotillaHub
import Foundation

extension FleetBenchmarkRun {
    /// The reconnect storm: with the fleet converged and quiet, the broker writes its persistence
    /// file (SIGUSR1: the state a crash right after an autosave leaves), is SIGKILLed, and is
    /// started again on the same port. Every spoke and the hub reconnect with their jittered
    /// backoff (0.5 s doubling to 30 s, full jitter). Timed from the kill until every spoke is
    /// back, subscribed and converged; the new broker's peak memory against the old one's steady
    /// state.
    func stormStage(_ say: (String) -> Void) async throws -> FleetBenchmarkResult.Storm {
        guard let broker else { throw BenchError("the broker is not running") }
        let before = try counts()
        guard before.connected == spokes, before.reportsPending == 0 else {
            throw BenchError("the fleet is not quiet before the storm: \(before.summary)")
        }
        try await Task.sleep(for: .seconds(1))
        let steady = broker.memory()?.rss ?? 0
        let persisted = try await broker.save()
        let killWall = Date().timeIntervalSince1970
        broker.crash()
        let killed = ContinuousClock.now
        say("storm: broker SIGKILLed under \(spokes) connected spokes (steady VmRSS \(Self.mib(steady)), persistence file \(persisted / 1024) KiB)")
        try await broker.restart()
        let listening = ContinuousClock.now
        say("storm: broker listening again on \(broker.port) after \(Self.format(Self.seconds(listening - killed), 3)) s")

        var c = before
        var reconnectedAt: ContinuousClock.Instant?
        // When half, 90 % and 99 % of the spokes were connected again: the shape of the herd.
        let marks = [0.5, 0.9, 0.99]
        var markAt: [ContinuousClock.Instant?] = [nil, nil, nil]
        // VmHWM is the process's peak so far: read at the end; also while waiting, in case it dies.
        var peak = 0
        try await wait(
            "every spoke reconnected, on its generation, nothing pending", timeout: timeout(180, perSpoke: .milliseconds(20)),
            progress: { c.summary },
            until: {
                c = try counts()
                peak = max(peak, broker.memory()?.peak ?? 0)
                let back = c.connected == spokes && c.disconnects >= before.disconnects + spokes
                if c.disconnects >= before.disconnects + spokes {
                    for (i, m) in marks.enumerated() where markAt[i] == nil && Double(c.connected) >= m * Double(spokes) { markAt[i] = .now }
                }
                if back, reconnectedAt == nil { reconnectedAt = .now }
                return back && c.reportsPending == 0 && c.appliedGenerations == before.appliedGenerations
            })
        let (_, at) = try await waitForHub("the hub to see every spoke back and converged", timeout: timeout(120)) { s in
            peak = max(peak, broker.memory()?.peak ?? 0)
            return s.hub.brokerConnected && s.spokes.count == spokes
                && s.spokes.allSatisfy { $0.online && ($0.lastSeen ?? 0) > killWall && $0.converged && $0.ackedSequence == $0.lastSequence }
        }
        let converged = Self.seconds(at - killed)
        let rssAfter = broker.memory()?.rss ?? 0
        try await Task.sleep(for: .seconds(1))
        peak = max(peak, broker.memory()?.peak ?? 0)
        let after = try counts()
        let storm = FleetBenchmarkResult.Storm(
            persistenceBytes: persisted, brokerSteadyRSSBytes: steady, brokerPeakRSSBytes: peak,
            brokerPeakRatio: steady > 0 ? Double(peak) / Double(steady) : 0, brokerRSSAfterBytes: rssAfter,
            restartSeconds: Self.seconds(listening - killed),
            reconnectedHalfSeconds: Self.seconds((markAt[0] ?? at) - killed), reconnected90Seconds: Self.seconds((markAt[1] ?? at) - killed),
            reconnected99Seconds: Self.seconds((markAt[2] ?? at) - killed), reconnectedSeconds: Self.seconds((reconnectedAt ?? at) - killed),
            convergedSeconds: converged, extraConnects: after.connects - before.connects - spokes,
            connectFailures: after.connectFailures - before.connectFailures, resends: after.resends - before.resends)
        say(
            "RESULT storm: kill → broker listening \(Self.format(storm.restartSeconds, 3)) s, → 50/90/99/100 % of the spokes connected \(Self.format(storm.reconnectedHalfSeconds, 1))/\(Self.format(storm.reconnected90Seconds, 1))/\(Self.format(storm.reconnected99Seconds, 1))/\(Self.format(storm.reconnectedSeconds, 1)) s, → every spoke back, subscribed and converged at the hub \(Self.format(converged, 3)) s; broker peak \(Self.mib(peak)) vs steady \(Self.mib(steady)) (\(Self.format(storm.brokerPeakRatio, 2))×); failed attempts \(storm.connectFailures), resends \(storm.resends)"
        )
        return storm
    }
}
