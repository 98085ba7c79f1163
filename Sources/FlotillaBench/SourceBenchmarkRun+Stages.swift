import FlotillaFixtures
import FlotillaMQTT
import FlotillaWire
import Foundation

extension SourceBenchmarkRun {
    /// Every stage, in order; the caller shuts down whatever happens.
    func execute(_ say: (String) -> Void) async throws -> SourceBenchmarkResult {
        let source = try writeSource(say)
        let plan = try await planStage(say)
        try await startBroker()
        var hubFigures = try await startHub(say)
        let every = try await everySpokeChange(say)
        let one = try await oneSpokeChange(say)
        let bare = try await barePublish(envelopes: every.envelopes, hubRate: every.figures.hubBundlesPerSecond, say)
        let (status, placements) = try await statusStage(say)
        if let hub, let memory = hub.memory() {
            hubFigures.rssAtEndKiB = memory.rssKiB
            hubFigures.peakRSSAtEndKiB = memory.peakKiB
        }
        say("RESULT hub memory at the end: VmRSS \(hubFigures.rssAtEndKiB / 1024) MiB, VmHWM \(hubFigures.peakRSSAtEndKiB / 1024) MiB")
        let envelopeBytes = every.envelopes.reduce(0) { $0 + $1.envelope.count }
        let sourceFigures = SourceBenchmarkResult.Source(
            spokes: spokes, objects: objects, policies: policies, files: source.summary.files, bytes: source.summary.bytes,
            writeMs: source.writeMs, placements: placements, meanBundleBytes: envelopeBytes / max(1, every.envelopes.count))
        say("RESULT placements at the end (bundles' objects, the one canary included): \(placements), \(Self.format(Double(placements) / Double(spokes))) per spoke; mean envelope \(sourceFigures.meanBundleBytes) B")
        return SourceBenchmarkResult(
            source: sourceFigures, plan: plan, hub: hubFigures, everySpokeChange: every.figures, oneSpokeChange: one,
            barePublish: bare, statusIngest: status)
    }

    // MARK: source and plan

    func writeSource(_ say: (String) -> Void) throws -> (summary: KubeStellarSourceWriter.Summary, writeMs: Double) {
        let start = ContinuousClock.now
        let summary = try writer.write(to: sourceDir)
        let ms = Self.ms(.now - start)
        say(
            "source: \(spokes) spokes, \(objects) objects, \(policies) policies: \(summary.files) files, \(Self.format(Double(summary.bytes) / 1e6, 2)) MB, written in \(Self.format(ms)) ms"
        )
        return (summary, ms)
    }

    func planStage(_ say: (String) -> Void) async throws -> SourceBenchmarkResult.Plan {
        let timeout = Self.timeout(120, items: spokes, perItem: .milliseconds(30))
        let fullArgs = ["plan", "--source", sourceDir.path, "-o", "json"]
        let full = try await runChild("plan-full", fullArgs, timeout: timeout)
        say("RESULT plan -o json (whole source, stdout to /dev/null): \(Self.format(Self.ms(full.wall))) ms, peak RSS \(full.maxRSSKiB / 1024) MiB")
        let oneArgs = ["plan", "--source", sourceDir.path, "--spoke", KubeStellarSourceWriter.spokeName(spokes / 2)]
        let one = try await runChild("plan-one", oneArgs, timeout: timeout)
        say("RESULT plan --spoke (one spoke's table): \(Self.format(Self.ms(one.wall))) ms, peak RSS \(one.maxRSSKiB / 1024) MiB")
        return .init(
            full: .init(arguments: fullArgs, wallMs: Self.ms(full.wall), peakRSSKiB: full.maxRSSKiB),
            oneSpoke: .init(arguments: oneArgs, wallMs: Self.ms(one.wall), peakRSSKiB: one.maxRSSKiB))
    }

    // MARK: broker and hub

    /// The broker, the bare publisher, the bundle watcher and the two bare subscribers, each
    /// subscription proven in place before anything is measured.
    func startBroker() async throws {
        let broker = try BenchBroker(inflight: 500, directory: dir, log: true)
        self.broker = broker
        let publisher = try BenchMQTT.client(port: broker.port, id: "bench-publisher")
        self.publisher = publisher
        let watcher = try BundleWatcher(port: broker.port, topics: topics)
        self.watcher = watcher
        let raw = try MessageCounter(port: broker.port, id: "bench-raw-subscriber", filter: Self.rawFilter)
        rawCounter = raw
        let status = try MessageCounter(
            port: broker.port, id: "bench-status-subscriber", filter: Self.scratchStatus.allStatus)
        statusCounter = status
        try await BenchMQTT.connected(publisher)
        try await BenchMQTT.awaitSubscribed("the bundle watcher", readyTopic: watcher.readyTopic, via: publisher) {
            watcher.state.withLock { $0.ready }
        }
        for (name, counter) in [("the raw subscriber", raw), ("the status subscriber", status)] {
            try await BenchMQTT.awaitSubscribed(name, readyTopic: counter.readyTopic, via: publisher) { counter.snapshot().ready }
        }
    }

    func startHub(_ say: (String) -> Void) async throws -> SourceBenchmarkResult.Hub {
        guard let broker, let watcher else { throw BenchError("the broker is not running") }
        let keys = dir.appendingPathComponent("keys")
        _ = try await runChild("keygen", ["keygen", "--out", keys.path], timeout: .seconds(30))
        let httpPort = Int(try FreePort.find())
        let arguments = [
            "hub", "run", "--source", sourceDir.path, "--state", dir.appendingPathComponent("hub.sqlite").path,
            "--signing-key", keys.appendingPathComponent("hub.key").path, "--broker", "mqtt://127.0.0.1:\(broker.port)",
            "--http", "127.0.0.1:\(httpPort)", "--poll", String(SourceBenchmark.pollSeconds), "--log-level", "info",
        ]
        let hub = try BenchProcess(
            name: "flotilla hub run", executable: executable, arguments: arguments, logFile: dir.appendingPathComponent("hub.log").path)
        children.append(hub)
        self.hub = hub
        metrics = MetricsProbe(host: "127.0.0.1", port: httpPort)
        try await wait(
            "a bundle for every spoke after the hub started", timeout: Self.timeout(120, items: spokes, perItem: .milliseconds(30)),
            progress: { "\(watcher.state.withLock { $0.latest.count }) of \(spokes) spokes have one" },
            until: { watcher.state.withLock { $0.latest.count } >= spokes })
        let last = watcher.latest().values.map(\.at).max() ?? .now
        let converged = Self.ms(last - hub.started)
        say("RESULT hub start → a bundle for every spoke: \(Self.format(converged)) ms (\(spokes) bundles)")
        try await settle(quiet: .seconds(1))
        guard let metrics else { throw BenchError("no metrics probe") }
        try await wait("the hub's /metrics to answer", timeout: .seconds(30), every: .milliseconds(50), progress: { "no answer yet" }) {
            (try? await metrics.samples()) != nil
        }
        let memory = hub.memory() ?? (0, 0)
        say("RESULT hub memory after convergence: VmRSS \(memory.rssKiB / 1024) MiB, VmHWM \(memory.peakKiB / 1024) MiB")
        return .init(
            pollSeconds: SourceBenchmark.pollSeconds, startToConvergedMs: converged, bundles: watcher.state.withLock { $0.latest.count },
            rssKiB: memory.rssKiB, peakRSSKiB: memory.peakKiB, rssAtEndKiB: memory.rssKiB, peakRSSAtEndKiB: memory.peakKiB)
    }
}
