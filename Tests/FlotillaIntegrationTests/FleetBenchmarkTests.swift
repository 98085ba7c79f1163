import FlotillaBench
import FlotillaTestSupport
import Foundation
import Testing

/// `flotilla bench fleet` at a small size: the counts behind every figure, not the timings.
@Suite(.serialized)
struct FleetBenchmarkTests {
    /// Lines printed by the benchmark, collected from its callback.
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.withLock { lines.append(line) } }
        var text: String { lock.withLock { lines.joined(separator: "\n") } }
    }

    static func expectSound(_ r: FleetBenchmarkResult, spokes: Int, touched: Int) {
        #expect(r.skipped == nil)
        #expect(r.spokes == spokes && r.touchedSpokes == touched)
        #expect(r.spokesConverged == spokes, "every spoke converged at the hub")
        // Each spoke's start event, received + applied of generation 1, and of the new one if touched.
        #expect(r.reportsWritten == spokes * 3 + touched * 2)
        #expect(r.reportsStored == r.reportsWritten)
        #expect(r.reportsLost == 0)
        #expect(r.duplicatesAbsorbed >= 0)
        #expect(r.ingestReports == spokes * 2)
        for (name, v) in [
            ("fanoutRatio", r.fanoutRatio), ("ingestRatio", r.ingestRatio), ("hubBundlesPerSecond", r.hubBundlesPerSecond),
            ("bareBundlesPerSecond", r.bareBundlesPerSecond), ("hubReportsPerSecond", r.hubReportsPerSecond),
            ("bareReportsPerSecond", r.bareReportsPerSecond), ("convergenceSeconds", r.convergenceSeconds),
            ("changeToFirstPublishSeconds", r.changeToFirstPublishSeconds),
        ] {
            #expect(v.isFinite && v > 0, "\(name) = \(v)")
        }
        #expect(r.changeToLastPublishSeconds >= r.changeToFirstPublishSeconds)
        #expect(r.bundleBytes > 0 && r.bundleBytesTotal >= r.bundleBytes * touched)
        #expect(r.hubRSSBytes > 0 && r.brokerRSSBytes > 0 && r.simRSSBytes >= 0)
        #expect(r.hubPeakRSSBytes >= r.hubRSSBytes && r.hubRSSBeforeFleetBytes > 0)
        #expect(r.changeCPU.wallSeconds > 0 && r.changeCPU.hub > 0 && r.ingestCPU.hub > 0)
        #expect(r.statusCallSeconds > 0)
        #expect(r.broker.maxQueuedMessages >= 20 * spokes && r.broker.persistence)
    }

    /// In-process simulator: a change touching every spoke with a fifth of them flapped as it goes
    /// out, then the broker killed and restarted under the fleet.
    @Test(.timeLimit(.minutes(3)))
    func fiftySpokesConvergeThroughAFlapAndAStormLosingNoReport() async throws {
        let lines = Lines()
        var options = FleetBenchmark.Options(spokes: 50)
        options.objects = 40
        options.policies = 5
        options.flakyFraction = 0.2
        options.storm = true
        options.executable = try Executable.flotilla()
        let r = try await FleetBenchmark.run(options) { lines.append($0) }
        print(lines.text)
        Self.expectSound(r, spokes: 50, touched: 50)
        #expect(r.simulator.hasPrefix("in-process"))
        #expect(r.simulatorProcesses == 1)
        #expect(r.flapped == 10, "a fifth of 50 connections dropped")
        let storm = try #require(r.storm)
        #expect(storm.persistenceBytes > 0)
        #expect(storm.brokerSteadyRSSBytes > 0 && storm.brokerPeakRSSBytes > 0 && storm.brokerPeakRatio > 0)
        #expect(storm.restartSeconds > 0 && storm.reconnectedSeconds >= storm.restartSeconds)
        #expect(storm.convergedSeconds >= storm.reconnectedSeconds)
        #expect(storm.extraConnects >= 0)

        // What `-o json` prints reads back.
        let back = try JSONDecoder().decode(FleetBenchmarkResult.self, from: try JSONEncoder().encode(r))
        #expect(back.reportsLost == 0 && back.storm?.convergedSeconds == storm.convergedSeconds)
    }

    /// Worker processes (`flotilla bench fleet --worker`), as at 10,000 spokes: a change touching half.
    @Test(.timeLimit(.minutes(2)))
    func workerProcessesCarryAShareEachAndAHalfChangeTouchesHalf() async throws {
        let lines = Lines()
        var options = FleetBenchmark.Options(spokes: 20)
        options.objects = 40
        options.policies = 5
        options.changeFraction = 0.5
        options.simulatorProcesses = 2
        options.executable = try Executable.flotilla()
        let r = try await FleetBenchmark.run(options) { lines.append($0) }
        print(lines.text)
        Self.expectSound(r, spokes: 20, touched: 10)
        #expect(r.simulatorProcesses == 2 && r.simulator.contains("worker"))
        #expect(r.flapped == 0 && r.storm == nil)
        #expect(r.simRSSBytes > 0)
    }

    @Test func aFleetTheOpenFileLimitCannotHoldIsRefusedWithTheReason() throws {
        let reason = try #require(FleetBenchmark.impossibility(spokes: 50_000_000))
        #expect(reason.contains("open file"))
        let skipped = FleetBenchmark.skipped(spokes: 50_000_000, reason: reason)
        #expect(skipped.skipped == reason && skipped.spokes == 50_000_000)
    }
}
