import FlotillaFixtures
import FlotillaHub
import FlotillaMQTT
import FlotillaSim
import FlotillaWire
import Foundation

extension FleetBenchmarkRun {
    /// Every stage, in order; the caller shuts down whatever happens.
    func execute(_ say: (String) -> Void) async throws -> FleetBenchmarkResult {
        try writeSource(say)
        try await startBroker(say)
        try await startHub(say)
        let first = try await startFleet(say)
        let change = try await changeStage(say)
        let fanout = try await fanoutStage(envelopes: change.envelopes, hubRate: change.hubRate, say)
        let ingest = try await ingestStage(say)
        // The broker's peak before any storm (the storm's own broker is another process).
        let brokerPeak = broker?.memory()?.peak ?? 0
        var storm: FleetBenchmarkResult.Storm?
        if options.storm { storm = try await stormStage(say) }
        let end = try await finalCount(burstStored: ingest.stored, say)
        let hubPeak = (hub?.memory()?.peakKiB ?? 0) * 1024
        return FleetBenchmarkResult(
            skipped: nil, spokes: spokes, objects: options.objects, policies: options.policies, changeFraction: options.changeFraction,
            touchedSpokes: change.touched, flakyFraction: options.flakyFraction, flapped: change.flapped,
            simulator: fleet?.placement ?? "", simulatorProcesses: fleet?.processes ?? 0, openFileLimit: capacity.soft,
            broker: .init(
                maxConnections: -1, maxQueuedMessages: FleetBroker.queuedMessages(spokes: spokes), maxInflightMessages: FleetBroker.inflight,
                persistence: true),
            machine: .current(), firstConvergenceSeconds: first, changeToFirstPublishSeconds: change.firstPublish,
            changeToLastPublishSeconds: change.lastPublish, convergenceSeconds: change.convergence, hubBundlesPerSecond: change.hubRate,
            bareBundlesPerSecond: fanout.bareRate, fanoutRatio: fanout.ratio, ingestReports: ingest.reports,
            hubReportsPerSecond: ingest.hubRate, bareReportsPerSecond: ingest.bareRate, ingestRatio: ingest.ratio,
            bundleBytes: change.bundleBytes / max(1, change.envelopes.count), bundleBytesTotal: change.bundleBytes,
            hubRSSBytes: change.hubRSS, hubRSSBeforeFleetBytes: hubRSSBeforeFleet, hubPeakRSSBytes: max(hubPeak, change.hubRSS),
            brokerRSSBytes: change.brokerRSS, brokerPeakRSSBytes: max(brokerPeak, change.brokerRSS), simRSSBytes: change.simRSS, reportsWritten: end.written,
            reportsStored: end.stored, reportsLost: end.written - end.stored, duplicatesAbsorbed: end.duplicates, resends: end.resends,
            spokesConverged: end.converged, storm: storm, changeCPU: change.cpu, ingestCPU: ingest.cpu, statusCallSeconds: end.statusCall)
    }

    // MARK: source, broker, hub

    func writeSource(_ say: (String) -> Void) throws {
        let start = ContinuousClock.now
        let summary = try writer.write(to: sourceDir)
        let cohort = try writer.writeCohort(fraction: options.changeFraction, in: sourceDir)
        say(
            "source: \(spokes) spokes, \(options.objects) objects, \(options.policies) policies (+ policy `cohort` of \(cohort.count) spokes): \(summary.files + 2) files, \(Self.format(Double(summary.bytes) / 1e6)) MB, written in \(Self.format(Self.seconds(.now - start) * 1000, 0)) ms"
        )
    }

    /// The broker, then the bare clients, each subscription proven in place.
    func startBroker(_ say: (String) -> Void) async throws {
        let broker = try FleetBroker(spokes: spokes, directory: dir.appendingPathComponent("broker"))
        self.broker = broker
        say(
            "broker: mosquitto on 127.0.0.1:\(broker.port), max_connections -1, max_queued_messages \(FleetBroker.queuedMessages(spokes: spokes)), max_inflight_messages \(FleetBroker.inflight), persistence on"
        )
        let publisher = try BenchMQTT.client(port: broker.port, id: "bench-publisher")
        self.publisher = publisher
        let watcher = try BundleWatcher(port: broker.port, topics: topics)
        self.watcher = watcher
        let raw = try MessageCounter(port: broker.port, id: "bench-raw-subscriber", filter: SourceBenchmarkRun.rawFilter)
        rawCounter = raw
        let status = try MessageCounter(port: broker.port, id: "bench-status-subscriber", filter: SourceBenchmarkRun.scratchStatus.allStatus)
        statusCounter = status
        try await BenchMQTT.connected(publisher)
        try await BenchMQTT.awaitSubscribed("the bundle watcher", readyTopic: watcher.readyTopic, via: publisher) {
            watcher.state.withLock { $0.ready }
        }
        for (name, counter) in [("the raw subscriber", raw), ("the status subscriber", status)] {
            try await BenchMQTT.awaitSubscribed(name, readyTopic: counter.readyTopic, via: publisher) { counter.snapshot().ready }
        }
    }

    /// `flotilla keygen`, then `flotilla hub run` as a child; returns once every spoke's
    /// generation 1 is at the watcher.
    func startHub(_ say: (String) -> Void) async throws {
        guard let broker, let watcher else { throw BenchError("the broker is not running") }
        let keygen = try BenchProcess(
            name: "flotilla keygen", executable: executable, arguments: ["keygen", "--out", keysDir.path],
            logFile: dir.appendingPathComponent("keygen.log").path)
        children.append(keygen)
        guard try await keygen.waitForExit(timeout: .seconds(30)).code == 0 else { throw BenchError("flotilla keygen failed: \(keygen.logTail())") }
        hubHTTPPort = Int(try FreePort.find())
        let arguments = [
            "hub", "run", "--source", sourceDir.path, "--state", dir.appendingPathComponent("hub.sqlite").path,
            "--signing-key", keysDir.appendingPathComponent("hub.key").path, "--broker", "mqtt://127.0.0.1:\(broker.port)",
            "--http", "127.0.0.1:\(hubHTTPPort)", "--poll", String(FleetBenchmark.pollSeconds), "--log-level", options.hubLogLevel,
        ]
        let hub = try BenchProcess(
            name: "flotilla hub run", executable: executable, arguments: arguments, logFile: dir.appendingPathComponent("hub.log").path)
        children.append(hub)
        self.hub = hub
        metrics = MetricsProbe(host: "127.0.0.1", port: hubHTTPPort)
        rawMetrics = RawMetricsProbe(port: hubHTTPPort)
        hubStatus = HubStatusProbe(host: "127.0.0.1", port: hubHTTPPort)
        try await wait(
            "a bundle for every spoke after the hub started", timeout: timeout(120, perSpoke: .milliseconds(30)),
            progress: { "\(watcher.state.withLock { $0.latest.count }) of \(spokes) spokes have one" },
            until: { watcher.state.withLock { $0.latest.count } >= spokes })
        let last = watcher.latest().values.map(\.at).max() ?? .now
        let startRSS = (hub.memory()?.rssKiB ?? 0) * 1024
        hubRSSBeforeFleet = startRSS
        say("hub: started (VmRSS \(Self.mib(startRSS)) before any spoke connects), generation 1 of every spoke published \(Self.format(Self.seconds(last - hub.started))) s after spawning it")
        guard let metrics else { throw BenchError("no metrics probe") }
        try await wait("the hub's /metrics to answer", timeout: .seconds(30), every: .milliseconds(50), progress: { "no answer yet" }) {
            (try? await metrics.samples()) != nil
        }
    }

    // MARK: simulator and first convergence

    /// Starts the simulated spokes; returns the seconds from their start to the first convergence.
    func startFleet(_ say: (String) -> Void) async throws -> Double {
        guard let broker else { throw BenchError("the broker is not running") }
        let hubKey = keysDir.appendingPathComponent("hub.pub").path
        let sources = FleetSimulatorConfiguration.automaticSourceAddresses(spokes: spokes, host: "127.0.0.1")
        let fleet: any BenchFleet
        if capacity.inProcess {
            let configuration = try Self.simulatorConfiguration(
                names: names, port: broker.port, hubKeyFile: hubKey, connectRate: options.connectRate,
                resendInterval: options.resendInterval, sourceAddresses: sources)
            fleet = try InProcessFleet(configuration: configuration)
        } else {
            fleet = try WorkerFleet(
                executable: executable, names: names, processes: capacity.processes, dir: dir, port: broker.port, hubKeyFile: hubKey,
                flapFraction: options.flakyFraction, connectRate: options.connectRate, resendInterval: options.resendInterval,
                sourceAddresses: sources.count)
        }
        self.fleet = fleet
        say("simulator: \(spokes) spokes, \(fleet.placement), \(options.connectRate) connections/s")
        let start = ContinuousClock.now
        try fleet.start()
        var last = FleetCounts()
        try await wait(
            "every simulated spoke connected, on generation 1, every report acknowledged", timeout: timeout(120, perSpoke: .milliseconds(20)),
            every: .milliseconds(50), progress: { last.summary },
            until: {
                last = try counts()
                return last.connected == spokes && last.spokesApplied(atLeast: 1) == spokes && last.reportsPending == 0
            })
        try await waitForHub("the hub to show every spoke converged", timeout: timeout(60)) { s in
            Self.settledSpokes(s) == spokes
        }
        let seconds = Self.seconds(.now - start)
        say("RESULT first convergence (simulator start → every spoke applied generation 1 and the hub shows it): \(Self.format(seconds)) s; \(last.summary)")
        return seconds
    }

    /// Spokes the status API shows converged, online, with every report acknowledged.
    static func settledSpokes(_ s: StatusSnapshot) -> Int {
        s.spokes.reduce(0) { $0 + ($1.converged && $1.online && $1.ackedSequence == $1.lastSequence ? 1 : 0) }
    }

    /// Asks the status API every `interval` until `done`. Each answer costs the hub a read of every
    /// spoke's row (about 3 s at 10,000 spokes on this machine): ask only once cheaper signs
    /// (the simulator's counts) say it should hold.
    @discardableResult
    func waitForHub(
        _ what: String, timeout: Duration, every interval: Duration = .seconds(1), _ done: (StatusSnapshot) -> Bool
    ) async throws -> (snapshot: StatusSnapshot, at: ContinuousClock.Instant) {
        guard let hubStatus else { throw BenchError("no status probe") }
        var last: StatusSnapshot?
        let start = ContinuousClock.now
        while true {
            try checkAlive(while: what, progress: { "" })
            if let s = try? await hubStatus.snapshot() {
                let at = ContinuousClock.now
                if done(s) { return (s, at) }
                last = s
            }
            guard ContinuousClock.now - start < timeout else {
                let shown = last.map { s in
                    "\(s.spokes.count) spokes; converged \(s.spokes.filter(\.converged).count), online \(s.spokes.filter(\.online).count), all acknowledged \(s.spokes.filter { $0.ackedSequence == $0.lastSequence }.count); broker connected \(s.hub.brokerConnected)"
                } ?? "no answer"
                throw BenchError("timed out after \(timeout) waiting for \(what): \(shown)")
            }
            try await Task.sleep(for: interval)
        }
    }

    // MARK: the change

    struct ChangeFigures {
        var touched: Int
        var flapped: Int
        var firstPublish: Double
        var lastPublish: Double
        var convergence: Double
        var hubRate: Double
        var bundleBytes: Int
        var envelopes: [(spoke: String, envelope: [UInt8])]
        var hubRSS: Int
        var brokerRSS: Int
        var simRSS: Int
        var cpu: FleetBenchmarkResult.CPU
    }

    /// Rewrites the cohort's ConfigMap; flaps (if asked) as the first new bundle shows; times
    /// the first and last new bundle and the hub's convergence on the touched spokes.
    func changeStage(_ say: (String) -> Void) async throws -> ChangeFigures {
        guard let watcher, let metrics = rawMetrics, let fleet else { throw BenchError("the run is not started") }
        try await Task.sleep(for: .seconds(1))
        let base = try metrics.samples()
        let before = watcher.generations()
        cohortRevision += 1
        let cpuBefore = cpuSample()
        let change = try writer.changeFraction(options.changeFraction, revision: cohortRevision, in: sourceDir)
        let written = ContinuousClock.now
        let touched = Set(change.spokes)
        let expectedReports = 2 * touched.count
        var flapped = 0
        var flapDone = options.flakyFraction <= 0
        var stored = 0
        // When /metrics first counted every touched spoke's two reports stored, if it counted
        // exactly those: then every applied report was in by that moment, and the status API's
        // next answer only confirms it.
        var gateAt: ContinuousClock.Instant?
        var gateCPU: CPUSample?
        var endCPU: CPUSample?
        var exactGate = false
        var lastStatusAsk = ContinuousClock.now
        var convergedAt: ContinuousClock.Instant?
        var lastShown = ""
        let deadline = written + timeout(120, perSpoke: .milliseconds(20))
        while convergedAt == nil {
            try checkAlive(while: "the change to converge", progress: { lastShown })
            guard ContinuousClock.now < deadline else {
                throw BenchError("timed out waiting for \(touched.count) touched spokes to converge: stored \(stored) of \(expectedReports) reports; \(lastShown); \((try? counts())?.summary ?? "")")
            }
            if !flapDone, !watcher.newer(than: before).isEmpty {
                flapDone = true
                flapped = try await fleet.flap(fraction: options.flakyFraction)
                say("flapped \(flapped) connections as the first new bundle arrived")
            }
            if let now = try? metrics.samples() {
                stored = Int((now[SourceBenchmarkRun.storedCounter] ?? 0) - (base[SourceBenchmarkRun.storedCounter] ?? 0))
            }
            let firstGate = stored >= expectedReports && gateAt == nil
            if firstGate {
                gateAt = .now
                gateCPU = cpuSample()
                exactGate = stored == expectedReports
            }
            // The status API costs the hub a read of every spoke's row and the bench a decode of
            // the whole fleet (about 1.5 s of the hub's CPU at 10,000 spokes, on the same two
            // cores; a profile showed 18 % of the hub's samples in it when asked every 15 s):
            // asked when the counter says done (then every 500 ms), before that only every 60 s,
            // in case some report is not counted as expected.
            let askEvery: Duration = gateAt == nil ? .seconds(60) : .milliseconds(500)
            if firstGate || ContinuousClock.now - lastStatusAsk > askEvery {
                lastStatusAsk = .now
                if let s = try? await hubStatus?.snapshot() {
                    let answered = ContinuousClock.now
                    let done = s.spokes.filter { sp in
                        touched.contains(sp.name) && sp.converged && sp.desiredGeneration > (before[sp.name] ?? 0)
                            && sp.appliedGeneration == sp.desiredGeneration
                    }.count
                    lastShown = "the status API shows \(done) of \(touched.count) touched spokes converged on their new generation"
                    if done == touched.count {
                        // The CPU figures end with the convergence, not with the status call after it.
                        let atGate = firstGate && exactGate
                        convergedAt = atGate ? gateAt : answered
                        endCPU = atGate ? gateCPU : cpuSample()
                    }
                }
            }
            if convergedAt == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let convergence = Self.seconds(convergedAt! - written)
        let changeCPU = cpu(from: cpuBefore, to: endCPU ?? cpuSample())
        try await wait(
            "every touched spoke's new bundle at the watcher", timeout: .seconds(30), progress: { "\(watcher.newer(than: before).count) of \(touched.count)" },
            until: { watcher.newer(than: before).count >= touched.count })
        let fresh = watcher.newer(than: before)
        let strays = Set(fresh.keys).subtracting(touched)
        if !strays.isEmpty { throw BenchError("\(strays.count) spokes outside the change got a new bundle, e.g. \(strays.sorted().prefix(3))") }
        let times = fresh.values.map(\.at)
        let first = times.min()!, last = times.max()!
        let spread = last - first
        let hubRate = Self.rate(fresh.count, spread > .zero ? spread : last - written)
        let envelopes = fresh.sorted { $0.key < $1.key }.map { (spoke: $0.key, envelope: $0.value.envelope) }
        let bytes = envelopes.reduce(0) { $0 + $1.envelope.count }
        say(
            "RESULT change (\(change.summary)): write → first new bundle \(Self.format(Self.seconds(first - written), 3)) s, → last \(Self.format(Self.seconds(last - written), 3)) s (\(Self.format(hubRate, 0)) bundles/s), → hub stored every touched spoke's applied report \(Self.format(convergence, 3)) s"
        )
        say("  \(Self.describe(changeCPU))")
        // Flapped spokes come back; then the fleet is quiet and its memory is read.
        var c = FleetCounts()
        try await wait(
            "every spoke connected again, every report acknowledged", timeout: timeout(120), every: .milliseconds(50), progress: { c.summary },
            until: {
                c = try counts()
                return c.connected == spokes && c.reportsPending == 0
            })
        try await Task.sleep(for: .seconds(1))
        let hubRSS = (hub?.memory()?.rssKiB ?? 0) * 1024
        let brokerRSS = broker?.memory()?.rss ?? 0
        let simRSS = fleet.residentBytes()
        say("RESULT memory after the change: hub \(Self.mib(hubRSS)), broker \(Self.mib(brokerRSS)), simulator \(Self.mib(simRSS)) (\(fleet.placement)); mean envelope \(bytes / max(1, envelopes.count)) B")
        return ChangeFigures(
            touched: touched.count, flapped: flapped, firstPublish: Self.seconds(first - written), lastPublish: Self.seconds(last - written),
            convergence: convergence, hubRate: hubRate, bundleBytes: bytes, envelopes: envelopes, hubRSS: hubRSS, brokerRSS: brokerRSS,
            simRSS: simRSS, cpu: changeCPU)
    }

    // MARK: the raw limits

    /// The hub's new envelopes, the same bytes, from a bare publisher (retained QoS 1, scratch
    /// topics): first publish → last PUBACK. The scratch messages are cleared afterwards.
    func fanoutStage(envelopes: [(spoke: String, envelope: [UInt8])], hubRate: Double, _ say: (String) -> Void) async throws
        -> (bareRate: Double, ratio: Double)
    {
        guard let publisher, let rawCounter else { throw BenchError("no bare publisher") }
        rawCounter.reset()
        let burst = try await BenchMQTT.publishAll(publisher, envelopes.map { (SourceBenchmarkRun.rawTopic($0.spoke), $0.envelope) }, retain: true)
        try await wait(
            "the bare subscriber to receive \(envelopes.count) bundles", timeout: timeout(60), progress: { "\(rawCounter.snapshot().count) received" },
            until: { rawCounter.snapshot().count >= envelopes.count })
        let bareRate = Self.rate(burst.messages, burst.elapsed)
        let ratio = bareRate > 0 ? hubRate / bareRate : 0
        say(
            "RESULT fan-out: bare publisher \(Self.format(bareRate, 0)) bundles/s (\(burst.messages) × \(burst.bytes / max(1, burst.messages)) B, first publish → last PUBACK \(Self.format(Self.seconds(burst.elapsed), 3)) s); hub \(Self.format(hubRate, 0))/s; ratio \(Self.format(ratio, 3))"
        )
        // Not measured: the scratch retained messages go, so later figures do not carry them.
        _ = try await BenchMQTT.publishAll(publisher, envelopes.map { (SourceBenchmarkRun.rawTopic($0.spoke), []) }, retain: true)
        try await wait("the scratch bundles cleared", timeout: timeout(60), progress: { "\(rawCounter.snapshot().count)" }) {
            rawCounter.snapshot().count >= 2 * envelopes.count
        }
        return (bareRate, ratio)
    }

    /// A burst of 2 valid reports per spoke (``StatusBurst``: new epochs, the spokes' current
    /// bundles) on the spokes' status topics, timed to the hub's /metrics counting them stored;
    /// then the same bytes on scratch topics to a bare subscriber.
    func ingestStage(_ say: (String) -> Void) async throws
        -> (reports: Int, stored: Int, hubRate: Double, bareRate: Double, ratio: Double, cpu: FleetBenchmarkResult.CPU)
    {
        guard let watcher, let publisher, let statusCounter, let metrics = rawMetrics else { throw BenchError("the hub is not running") }
        let envelopes = watcher.latest().sorted { $0.key < $1.key }.map { (spoke: $0.key, envelope: $0.value.envelope) }
        let burst = try StatusBurst.make(envelopes: envelopes, count: 2)
        let total = burst.reportCount
        let base = try metrics.samples()
        func delta(_ now: [String: Double], _ name: String) -> Int { Int((now[name] ?? 0) - (base[name] ?? 0)) }
        let messages = burst.messages(topic: topics.status)
        let cpuBefore = cpuSample()
        async let published = BenchMQTT.publishAll(publisher, messages, retain: false)
        var last = base
        var storedAt = ContinuousClock.now
        var waitError: (any Error)?
        do {
            try await wait(
                "the hub to store the \(total) reports of the burst", timeout: timeout(60), progress: { "stored \(delta(last, SourceBenchmarkRun.storedCounter))" },
                until: {
                    last = try metrics.samples()
                    storedAt = .now
                    return delta(last, SourceBenchmarkRun.storedCounter) >= total
                })
        } catch {
            waitError = error
        }
        let cpuAfter = cpuSample()
        let hubBurst = try await published
        if let waitError { throw waitError }
        let hubRate = Self.rate(total, storedAt - hubBurst.firstPublish)
        let ingestCPU = cpu(from: cpuBefore, to: cpuAfter)
        statusCounter.reset()
        let bareBurst = try await BenchMQTT.publishAll(publisher, burst.messages(topic: SourceBenchmarkRun.scratchStatus.status), retain: false)
        try await wait(
            "the bare subscriber to receive \(total) reports", timeout: timeout(60), progress: { "\(statusCounter.snapshot().count) received" },
            until: { statusCounter.snapshot().count >= total })
        let bare = statusCounter.snapshot()
        let bareRate = Self.rate(bare.count, (bare.last ?? .now) - bareBurst.firstPublish)
        let ratio = bareRate > 0 ? hubRate / bareRate : 0
        say(
            "RESULT status ingest: hub stored \(total) reports at \(Self.format(hubRate, 0))/s (first publish → all stored), bare subscriber \(Self.format(bareRate, 0))/s; ratio \(Self.format(ratio, 3))"
        )
        say("  hub ingest: \(Self.describe(ingestCPU))")
        return (total, delta(last, SourceBenchmarkRun.storedCounter), hubRate, bareRate, ratio, ingestCPU)
    }

    // MARK: the count

    /// Once nothing is pending: what the spokes wrote against what the hub stored from them.
    func finalCount(burstStored: Int, _ say: (String) -> Void) async throws
        -> (written: Int, stored: Int, duplicates: Int, resends: Int, converged: Int, statusCall: Double)
    {
        guard let metrics else { throw BenchError("no metrics probe") }
        var c = FleetCounts()
        try await wait(
            "every report acknowledged", timeout: timeout(60), every: .milliseconds(50), progress: { c.summary },
            until: {
                c = try counts()
                return c.reportsPending == 0
            })
        let (s, _) = try await waitForHub("every spoke converged at the end", timeout: timeout(60)) { s in
            Self.settledSpokes(s) == spokes
        }
        let asked = ContinuousClock.now
        _ = try await hubStatus?.snapshot()
        let statusCall = Self.seconds(.now - asked)
        let samples = try await metrics.samples()
        let stored = Int(samples[SourceBenchmarkRun.storedCounter] ?? 0) - burstStored
        let duplicates = Int(samples[SourceBenchmarkRun.duplicateCounter] ?? 0)
        let converged = Self.settledSpokes(s)
        say(
            "RESULT reports: the spokes wrote \(c.reportsWritten), the hub stored \(stored) of theirs (lost \(c.reportsWritten - stored)); duplicates absorbed \(duplicates); resends \(c.resends); refused bundles \(c.bundlesRefused); \(converged) of \(spokes) spokes converged"
        )
        say("one GET /api/v1/status: \(Self.format(statusCall, 3)) s")
        return (c.reportsWritten, stored, duplicates, c.resends, converged, statusCall)
    }
}
