/// The figures of one `flotilla bench fleet` run (`-o json` prints this). Times in seconds,
/// memory in bytes, rates per second. How each is measured is said at its declaration.
public struct FleetBenchmarkResult: Sendable, Codable {
    /// Why the run could not be made (then nothing else is measured): `--skip-if-impossible`.
    public var skipped: String?

    public var spokes: Int
    public var objects: Int
    public var policies: Int
    /// Share of the spokes the change touches, and how many that is.
    public var changeFraction: Double
    public var touchedSpokes: Int
    /// Share of the spokes flapped during the change, and how many connections were dropped.
    public var flakyFraction: Double
    public var flapped: Int

    /// Where the simulated spokes ran: "in-process" or "N worker processes".
    public var simulator: String
    public var simulatorProcesses: Int
    /// The open-file limit every process of the run had (soft raised to hard), and what it allows.
    public var openFileLimit: UInt64
    public var broker: Broker
    public var machine: Machine

    /// Simulator start → every spoke applied generation 1 and the hub's status API shows every
    /// spoke converged with every report acknowledged (not a target: the ramp is rate-limited).
    public var firstConvergenceSeconds: Double

    /// Source file renamed into place → the first new bundle at a bare subscriber of every
    /// spoke's `desired` topic (the hub polls the source every 0.1 s).
    public var changeToFirstPublishSeconds: Double
    /// … → the last new bundle at that subscriber.
    public var changeToLastPublishSeconds: Double
    /// File renamed → the hub has stored every touched spoke's `applied` report for its new
    /// generation: `flotilla_hub_reports_stored_total` on /metrics (polled every 20 ms) grew by
    /// the touched spokes' reports (received + applied each), confirmed by the status API
    /// (every touched spoke converged on its new generation). When the status API had to be
    /// asked again, the time of the answer that confirmed it.
    public var convergenceSeconds: Double

    /// The hub's new bundles per second, first → last at the subscriber.
    public var hubBundlesPerSecond: Double
    /// The same envelopes (bytes) from a bare libmosquitto publisher, retained QoS 1, on scratch
    /// topics of the same broker: first publish → last PUBACK.
    public var bareBundlesPerSecond: Double
    /// hubBundlesPerSecond / bareBundlesPerSecond.
    public var fanoutRatio: Double

    /// A burst of valid reports (2 per spoke, new epochs, from one bare publisher, ``StatusBurst``)
    /// on the spokes' status topics: first publish → /metrics counting them all stored.
    public var ingestReports: Int
    public var hubReportsPerSecond: Double
    /// The same bytes on scratch topics: first publish → last one at a bare subscriber.
    public var bareReportsPerSecond: Double
    /// hubReportsPerSecond / bareReportsPerSecond.
    public var ingestRatio: Double

    /// Mean size of a new envelope (deflated, signed) as the subscriber received it, and all of them.
    public var bundleBytes: Int
    public var bundleBytesTotal: Int

    /// `VmRSS` after the change converged (before the bare bursts); `VmHWM` at the end (the
    /// broker's: before any storm).
    public var hubRSSBytes: Int
    /// The hub's `VmRSS` once it had published generation 1 of every spoke, before any spoke
    /// connected: what the source, the plan and the store take, without the fleet's traffic.
    public var hubRSSBeforeFleetBytes: Int
    public var hubPeakRSSBytes: Int
    public var brokerRSSBytes: Int
    public var brokerPeakRSSBytes: Int
    /// The worker processes' `VmRSS` summed, or for an in-process simulator the growth of the
    /// benchmark's own `VmRSS` from just before the simulator was created.
    public var simRSSBytes: Int

    /// Distinct reports the simulated spokes wrote, at the end, every one acknowledged.
    public var reportsWritten: Int
    /// Reports the hub stored from the spokes (`flotilla_hub_reports_stored_total` less the burst).
    public var reportsStored: Int
    /// reportsWritten − reportsStored, once the simulator has nothing pending: must be 0.
    public var reportsLost: Int
    /// `flotilla_hub_reports_duplicate_total` at the end: resends the hub recognised and dropped.
    public var duplicatesAbsorbed: Int
    /// Reports published again by the spokes (after a flap, a storm, or a stalled ack).
    public var resends: Int
    /// Every spoke converged at the hub (status API) at the end.
    public var spokesConverged: Int

    public var storm: Storm?

    /// Where the CPU went while the change converged (file write → converged), and during the
    /// status burst: the machine has 2 cores, shared by everything of the run (and others' work).
    public var changeCPU: CPU
    public var ingestCPU: CPU
    /// One `GET /api/v1/status` at the end (the hub builds the whole fleet's snapshot).
    public var statusCallSeconds: Double

    /// CPU seconds used during a stage's wall time.
    public struct CPU: Sendable, Codable {
        public var wallSeconds: Double
        public var hub: Double
        public var broker: Double
        /// The simulator's worker processes; for an in-process simulator, the benchmark's own
        /// process (the simulator with the watcher, bare clients and probes).
        public var simulator: Double
        /// The benchmark's process when the simulator runs in workers (its watcher, bare
        /// clients, probes); 0 otherwise (counted under simulator).
        public var bench: Double
        /// Busy time of every core of the machine: ours and anything else running.
        public var machine: Double
        /// machine − the above: other work on the shared machine (and the kernel's own).
        public var others: Double
        public var cores: Int

        public static let zero = CPU(wallSeconds: 0, hub: 0, broker: 0, simulator: 0, bench: 0, machine: 0, others: 0, cores: 0)
    }

    public struct Broker: Sendable, Codable {
        public var maxConnections: Int
        public var maxQueuedMessages: Int
        public var maxInflightMessages: Int
        public var persistence: Bool
    }

    public struct Machine: Sendable, Codable {
        public var cores: Int
        public var memoryBytes: UInt64
        public var kernel: String
        public var cpu: String
    }

    /// The broker SIGKILLed under the connected fleet and started again on the same port.
    public struct Storm: Sendable, Codable {
        /// The persistence file written (SIGUSR1) just before the kill.
        public var persistenceBytes: Int
        /// `VmRSS` of the broker before the kill, the fleet converged and quiet.
        public var brokerSteadyRSSBytes: Int
        /// `VmHWM` of the restarted broker once every spoke was back, and after.
        public var brokerPeakRSSBytes: Int
        /// brokerPeakRSSBytes / brokerSteadyRSSBytes.
        public var brokerPeakRatio: Double
        /// `VmRSS` of the restarted broker once every spoke was back.
        public var brokerRSSAfterBytes: Int
        /// SIGKILL → the new broker listening on the port.
        public var restartSeconds: Double
        /// SIGKILL → half, 90 % and 99 % of the simulated spokes connected again.
        public var reconnectedHalfSeconds: Double
        public var reconnected90Seconds: Double
        public var reconnected99Seconds: Double
        /// SIGKILL → every simulated spoke connected again.
        public var reconnectedSeconds: Double
        /// SIGKILL → every spoke back, subscribed and converged: the simulator has every spoke
        /// connected, on its generation, nothing pending; the hub's status API shows every spoke
        /// online with a presence stored after the restart (sent after its SUBSCRIBE on the same
        /// connection, so the broker had the subscription), converged, all acknowledged.
        public var convergedSeconds: Double
        /// CONNACKs during the storm beyond one per spoke (retries after refused attempts).
        public var extraConnects: Int
        public var connectFailures: Int
        public var resends: Int
    }
}
