import FlotillaFixtures
import FlotillaMQTT
import Foundation

extension SourceBenchmarkRun {
    /// Rewrites the file every spoke receives; times the rename → the first and the last spoke's
    /// new bundle (a generation above the one each had) at the subscriber.
    func everySpokeChange(_ say: (String) -> Void) async throws
        -> (figures: SourceBenchmarkResult.EverySpokeChange, envelopes: [(spoke: String, envelope: [UInt8])])
    {
        guard let watcher else { throw BenchError("no bundle watcher") }
        let before = watcher.generations()
        let change = try writer.changeEverySpoke(in: sourceDir)
        let written = ContinuousClock.now
        let expected = Set(change.spokes)
        try await wait(
            "a new bundle for every spoke after rewriting \(change.file)",
            timeout: Self.timeout(120, items: spokes, perItem: .milliseconds(30)),
            progress: { "\(watcher.newer(than: before).count) of \(expected.count) spokes have one" },
            until: { watcher.newer(than: before).count >= expected.count })
        let fresh = watcher.newer(than: before)
        let times = fresh.values.map(\.at)
        let first = times.min() ?? written, last = times.max() ?? written
        let spread = last - first
        let rate = Self.rate(fresh.count, spread > .zero ? spread : last - written)
        let figures = SourceBenchmarkResult.EverySpokeChange(
            file: change.file, spokes: expected.count, newBundles: fresh.count, writeToFirstNewBundleMs: Self.ms(first - written),
            writeToLastNewBundleMs: Self.ms(last - written), hubBundlesPerSecond: rate)
        say(
            "RESULT every-spoke change (\(change.summary)): write → first new bundle \(Self.format(figures.writeToFirstNewBundleMs)) ms, → last \(Self.format(figures.writeToLastNewBundleMs)) ms; \(fresh.count) new bundles, \(Self.format(rate, 0))/s between first and last"
        )
        if fresh.count != expected.count || !Set(fresh.keys).isSubset(of: expected) {
            say("  unexpected: \(fresh.count) spokes changed, \(expected.count) expected")
        }
        try await settle(quiet: .milliseconds(500))
        let envelopes = fresh.sorted { $0.key < $1.key }.map { (spoke: $0.key, envelope: $0.value.envelope) }
        return (figures, envelopes)
    }

    /// Gives one spoke a label that adds a policy; times the rename → that spoke's new bundle,
    /// then waits long enough for any other change to show (ten polls, at least a second) and
    /// counts the spokes whose generation moved.
    func oneSpokeChange(_ say: (String) -> Void) async throws -> SourceBenchmarkResult.OneSpokeChange {
        guard let watcher else { throw BenchError("no bundle watcher") }
        let index = spokes / 2
        let name = KubeStellarSourceWriter.spokeName(index)
        let before = watcher.generations()
        let change = try writer.changeOneSpoke(in: sourceDir, index: index)
        let written = ContinuousClock.now
        try await wait(
            "a new bundle for \(name) after rewriting \(change.file)", timeout: .seconds(120),
            progress: { "generation still \(watcher.generations()[name] ?? 0); \(watcher.newer(than: before).count) spokes changed" },
            until: { watcher.newer(than: before)[name] != nil })
        let seen = watcher.newer(than: before)[name]!.at
        let settle = max(Duration.seconds(1), .seconds(SourceBenchmark.pollSeconds * 10))
        try await Task.sleep(for: settle)
        let changed = watcher.newer(than: before)
        let figures = SourceBenchmarkResult.OneSpokeChange(
            file: change.file, spoke: name, writeToNewBundleMs: Self.ms(seen - written), spokesWithNewBundle: changed.count,
            settleMs: Self.ms(settle))
        say(
            "RESULT one-spoke change (\(change.summary), file of \(KubeStellarSourceWriter.clustersPerFile) clusters): write → its new bundle \(Self.format(figures.writeToNewBundleMs)) ms; spokes with a new bundle after \(Self.format(figures.settleMs, 0)) ms: \(changed.count)"
        )
        return figures
    }

    /// The hub's newest envelopes, the same bytes, published again by a bare QoS 1 publisher on
    /// scratch topics of the same broker: first publish → last PUBACK, and a subscriber's
    /// first → last message.
    func barePublish(envelopes: [(spoke: String, envelope: [UInt8])], hubRate: Double, _ say: (String) -> Void) async throws
        -> SourceBenchmarkResult.BarePublish
    {
        guard let publisher, let rawCounter else { throw BenchError("no bare publisher") }
        rawCounter.reset()
        let burst = try await BenchMQTT.publishAll(
            publisher, envelopes.map { (Self.rawTopic($0.spoke), $0.envelope) }, retain: true)
        try await wait(
            "the bare subscriber to receive the \(envelopes.count) bare bundles", timeout: Self.timeout(60, items: envelopes.count, perItem: .milliseconds(10)),
            progress: { "\(rawCounter.snapshot().count) received" }, until: { rawCounter.snapshot().count >= envelopes.count })
        let seen = rawCounter.snapshot()
        let rate = Self.rate(burst.messages, burst.elapsed)
        let spread = (seen.last ?? .now) - (seen.first ?? .now)
        let arrivals = Self.rate(seen.count, spread)
        let figures = SourceBenchmarkResult.BarePublish(
            messages: burst.messages, bytes: burst.bytes, firstPublishToLastPubackMs: Self.ms(burst.elapsed), messagesPerSecond: rate,
            subscriberFirstToLastMs: Self.ms(spread), subscriberReceived: seen.count, hubToBareRatio: rate > 0 ? hubRate / rate : 0,
            subscriberMessagesPerSecond: arrivals, hubToBareAtSubscriberRatio: arrivals > 0 ? hubRate / arrivals : 0)
        say(
            "RESULT bare publisher, the hub's \(burst.messages) envelopes (\(burst.bytes / 1024) KiB) retained QoS 1: first publish → last PUBACK \(Self.format(figures.firstPublishToLastPubackMs)) ms, \(Self.format(rate, 0))/s (subscriber first → last \(Self.format(figures.subscriberFirstToLastMs)) ms)"
        )
        say(
            "RESULT hub rate / bare rate (bundles/s between first and last new bundle ÷ bare publish rate): \(Self.format(figures.hubToBareRatio, 3)); both timed first → last arrival at a subscriber: \(Self.format(figures.hubToBareAtSubscriberRatio, 3))"
        )
        return figures
    }
}
