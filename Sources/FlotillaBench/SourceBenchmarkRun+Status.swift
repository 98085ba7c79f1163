import FlotillaMQTT
import FlotillaWire
import Foundation

extension SourceBenchmarkRun {
    static let storedCounter = "flotilla_hub_reports_stored_total"
    static let duplicateCounter = "flotilla_hub_reports_duplicate_total"
    static let refusedCounter = "flotilla_hub_messages_refused_total"
    static let unknownCounter = "flotilla_hub_unknown_spoke_messages_total"

    /// A burst of `reports` valid status reports per spoke, from one bare QoS 1 publisher on the
    /// spokes' status topics: first publish → the hub's `/metrics` (polled every 20 ms) counting
    /// them all stored. Then the same bytes on scratch topics to a bare subscriber: first
    /// publish → last received. Also returns the placements of the bundles the reports speak of.
    func statusStage(_ say: (String) -> Void) async throws -> (SourceBenchmarkResult.StatusIngest, placements: Int) {
        guard let watcher, let publisher, let statusCounter, let metrics else { throw BenchError("the hub is not running") }
        let envelopes = watcher.latest().sorted { $0.key < $1.key }.map { (spoke: $0.key, envelope: $0.value.envelope) }
        let building = ContinuousClock.now
        let burst = try StatusBurst.make(envelopes: envelopes, count: reports)
        let total = burst.reportCount
        let placements = burst.spokes.reduce(0) { $0 + $1.objects }
        say("status burst: \(total) reports, \(burst.bytes / 1024) KiB, built in \(Self.format(Self.ms(.now - building))) ms (not timed)")

        let base = try await metrics.samples()
        func delta(_ now: [String: Double], _ name: String) -> Int { Int((now[name] ?? 0) - (base[name] ?? 0)) }
        let messages = burst.messages(topic: topics.status)
        async let published = BenchMQTT.publishAll(publisher, messages, retain: false)
        var last: [String: Double] = base
        var storedAt = ContinuousClock.now
        var waitError: (any Error)?
        do {
            try await wait(
                "the hub to store \(total) status reports (\(Self.storedCounter) on /metrics)",
                timeout: Self.timeout(60, items: total, perItem: .milliseconds(10)), every: .milliseconds(20),
                progress: {
                    "stored \(delta(last, Self.storedCounter)) of \(total); duplicates \(delta(last, Self.duplicateCounter)), refused \(delta(last, Self.refusedCounter)), unknown spoke \(delta(last, Self.unknownCounter))"
                },
                until: {
                    last = try await metrics.samples()
                    storedAt = .now
                    return delta(last, Self.storedCounter) >= total
                })
        } catch {
            waitError = error
        }
        let hubBurst = try await published
        if let waitError { throw waitError }
        let hubElapsed = storedAt - hubBurst.firstPublish
        let hubRate = Self.rate(total, hubElapsed)
        say(
            "RESULT status ingest by the hub: \(total) reports, first publish → all stored \(Self.format(Self.ms(hubElapsed))) ms, \(Self.format(hubRate, 0)) reports/s (publisher's last PUBACK at \(Self.format(Self.ms(hubBurst.elapsed))) ms)"
        )

        statusCounter.reset()
        let bareBurst = try await BenchMQTT.publishAll(publisher, burst.messages(topic: Self.scratchStatus.status), retain: false)
        try await wait(
            "the bare subscriber to receive \(total) status reports", timeout: Self.timeout(60, items: total, perItem: .milliseconds(10)),
            progress: { "\(statusCounter.snapshot().count) received" }, until: { statusCounter.snapshot().count >= total })
        let bare = statusCounter.snapshot()
        let bareElapsed = (bare.last ?? .now) - bareBurst.firstPublish
        let bareRate = Self.rate(bare.count, bareElapsed)
        say(
            "RESULT status reports to a bare subscriber: first publish → last received \(Self.format(Self.ms(bareElapsed))) ms, \(Self.format(bareRate, 0)) reports/s"
        )
        let ratio = bareRate > 0 ? hubRate / bareRate : 0
        say("RESULT hub ingest rate / bare subscriber rate: \(Self.format(ratio, 3))")
        let figures = SourceBenchmarkResult.StatusIngest(
            reports: total, meanReportBytes: burst.bytes / max(1, total), hubStored: delta(last, Self.storedCounter),
            hubFirstPublishToStoredMs: Self.ms(hubElapsed), hubReportsPerSecond: hubRate,
            publisherFirstToLastPubackMs: Self.ms(hubBurst.elapsed), hubDuplicates: delta(last, Self.duplicateCounter),
            hubRefused: delta(last, Self.refusedCounter), hubUnknownSpoke: delta(last, Self.unknownCounter), bareReceived: bare.count,
            bareFirstPublishToLastReceivedMs: Self.ms(bareElapsed), bareReportsPerSecond: bareRate, hubToBareRatio: ratio)
        return (figures, placements)
    }
}
