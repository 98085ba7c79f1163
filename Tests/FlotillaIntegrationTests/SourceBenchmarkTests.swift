import FlotillaBench
import FlotillaTestSupport
import Foundation
import Testing

/// `flotilla bench source` at a small size: the counts behind every figure, not the timings.
struct SourceBenchmarkTests {
    /// Lines printed by the benchmark, collected from its callback.
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var text: String { lock.withLock { lines.joined(separator: "\n") } }
    }

    @Test func everyStageCountsWhatItMeasures() async throws {
        let lines = Lines()
        let result = try await SourceBenchmark.run(
            spokes: 50, objects: 40, policies: 5, reports: 2, executable: try Executable.flotilla(), print: { lines.append($0) })
        let output = lines.text
        print(output)
        #expect(result.source.spokes == 50 && result.source.objects == 40 && result.source.policies == 5)
        #expect(result.source.files > 0 && result.source.bytes > 0)
        #expect(result.source.placements >= 50 * 7, "every spoke gets at least the baseline: \(result.source.placements)")

        #expect(result.plan.full.wallMs > 0 && result.plan.full.peakRSSKiB > 0)
        #expect(result.plan.oneSpoke.wallMs > 0 && result.plan.oneSpoke.peakRSSKiB > 0)

        #expect(result.hub.bundles == 50, "every spoke got a bundle")
        #expect(result.hub.rssKiB > 0 && result.hub.peakRSSKiB >= result.hub.rssKiB)

        #expect(result.everySpokeChange.spokes == 50)
        #expect(result.everySpokeChange.newBundles == 50, "every touched spoke got a new bundle")
        #expect(result.everySpokeChange.writeToLastNewBundleMs >= result.everySpokeChange.writeToFirstNewBundleMs)

        #expect(result.oneSpokeChange.spoke == "store-00025")
        #expect(result.oneSpokeChange.spokesWithNewBundle == 1, "the one-spoke change touched exactly that spoke's bundle")

        #expect(result.barePublish.messages == 50 && result.barePublish.subscriberReceived == 50)

        #expect(result.statusIngest.reports == 100)
        #expect(result.statusIngest.hubStored == 100, "all reports were stored")
        #expect(result.statusIngest.hubDuplicates == 0 && result.statusIngest.hubRefused == 0 && result.statusIngest.hubUnknownSpoke == 0)
        #expect(result.statusIngest.bareReceived == 100)

        for (name, ratio) in [
            ("publish", result.barePublish.hubToBareRatio), ("publish at the subscriber", result.barePublish.hubToBareAtSubscriberRatio),
            ("status", result.statusIngest.hubToBareRatio),
        ] {
            #expect(ratio.isFinite && ratio > 0, "\(name) ratio \(ratio)")
        }
        for rate in [
            result.everySpokeChange.hubBundlesPerSecond, result.barePublish.messagesPerSecond, result.statusIngest.hubReportsPerSecond,
            result.statusIngest.bareReportsPerSecond,
        ] {
            #expect(rate.isFinite && rate > 0)
        }
        #expect(output.contains("RESULT hub rate / bare rate"), "\(output)")
        #expect(output.contains("RESULT hub ingest rate / bare subscriber rate"))

        // What `-o json` prints reads back.
        let json = try JSONEncoder().encode(result)
        let back = try JSONDecoder().decode(SourceBenchmarkResult.self, from: json)
        #expect(back.statusIngest.hubStored == 100)
    }
}
