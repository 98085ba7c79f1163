import FlotillaModel
import FlotillaWire
import FlotillaStore

/// The fleet's state, aggregated from the hub's records and plan: the one place that says
/// what a phase shows and what "converged" means. The HTTP API, the gauges and
/// `flotilla status` all read it. Pure: no I/O, no clock.
public enum FleetStatus {
    /// Names the site bridge a spoke connects through (`remote_clientid` of the site broker's
    /// bridge): its state on the central broker tells whether the spoke can be reached at all.
    public static let siteBridgeAnnotation = "flotilla.io/site-bridge"
    /// A spoke runs the bundle the hub wants it to run.
    public static func isConverged(_ r: SpokeRecord) -> Bool {
        r.inInventory && r.phase == .applied && r.appliedGeneration == r.generation
    }

    /// The phase shown for a spoke. A spoke out of the inventory is retired; one whose presence
    /// says offline is offline, whatever it last applied (it keeps running that); an apply of an
    /// older generation is still applying the newer.
    public static func phase(of r: SpokeRecord) -> SpokePhase {
        if !r.inInventory { return .retired }
        if !r.online && r.lastSeen != nil { return .offline }
        if r.phase == .applied, (r.appliedGeneration ?? 0) < r.generation { return .applying }
        return r.phase
    }

    /// Whether a record is still shown: retired spokes disappear `retiredGrace` seconds after
    /// they left the inventory.
    public static func isShown(_ r: SpokeRecord, now: Double, retiredGrace: Double) -> Bool {
        guard !r.inInventory else { return true }
        return now - (r.retiredAt ?? now) < retiredGrace
    }

    /// Every spoke converged and every report it sent stored: what `status --wait` waits for.
    public static func isSettled(_ s: StatusSnapshot) -> Bool {
        let active = s.spokes.filter { $0.phase != .retired }
        return !active.isEmpty && active.allSatisfy { $0.converged && $0.ackedSequence == $0.lastSequence }
    }

    /// Fleet-level counts for the gauges.
    public struct Counts: Sendable, Equatable {
        public var spokes = 0
        public var online = 0
        public var converged = 0

        public init(spokes: Int = 0, online: Int = 0, converged: Int = 0) {
            self.spokes = spokes
            self.online = online
            self.converged = converged
        }
    }

    public static func counts(_ records: [SpokeRecord]) -> Counts {
        var c = Counts()
        for r in records where r.inInventory {
            c.spokes += 1
            if r.online { c.online += 1 }
            if isConverged(r) { c.converged += 1 }
        }
        return c
    }

    /// Spokes and workloads: each placed object with how many spokes run it and where it failed.
    /// `unreachable` maps spokes behind a site bridge that is down to that bridge.
    public static func snapshot(
        records: [SpokeRecord], plan: Plan?, unreachable: [String: String] = [:], hub: StatusSnapshot.HubInfo, now: Double = 0,
        retiredGrace: Double = .infinity
    ) -> StatusSnapshot {
        var spokes: [StatusSnapshot.SpokeStatus] = []
        var results: [String: [ObjectRef: ObjectStatus.State]] = [:]
        var converged: Set<String> = []
        var failedSpokes: Set<String> = []
        for r in records where isShown(r, now: now, retiredGrace: retiredGrace) {
            if r.inInventory && r.phase == .failed { failedSpokes.insert(r.name) }
            if isConverged(r) { converged.insert(r.name) }
            var states: [ObjectRef: ObjectStatus.State] = [:]
            for o in r.lastResult { states[o.ref] = o.state }
            results[r.name] = states
            let bridge = r.inInventory ? unreachable[r.name] : nil
            spokes.append(
                StatusSnapshot.SpokeStatus(
                    name: r.name, online: r.online && bridge == nil, lastSeen: r.lastSeen, desiredGeneration: r.generation,
                    appliedGeneration: r.appliedGeneration, phase: bridge == nil ? phase(of: r) : .offline, converged: isConverged(r),
                    reportsReceived: r.reportsStored, duplicatesAbsorbed: r.duplicates, lastSequence: r.lastSeq,
                    ackedSequence: r.ackedSeq,
                    errors: [bridge.map { "unreachable (site bridge \($0) down)" }, r.planError, r.lastError].compactMap { $0 }, keyId: r.keyId,
                    agentVersion: r.agentVersion))
        }
        var workloads: [ObjectRef: StatusSnapshot.WorkloadStatus] = [:]
        for sp in plan?.spokes ?? [] {
            for p in sp.placements {
                var w = workloads[p.ref] ?? StatusSnapshot.WorkloadStatus(
                    apiVersion: p.ref.apiVersion, kind: p.ref.kind, namespace: p.ref.namespace, name: p.ref.name,
                    spokes: .init(desired: 0, applied: 0, failed: 0), failedOn: [])
                w.spokes.desired += 1
                switch results[sp.spoke.name]?[p.ref] {
                case .failed?:
                    w.spokes.failed += 1
                    w.failedOn.append(sp.spoke.name)
                case .applied?, .unchanged?:
                    if converged.contains(sp.spoke.name) { w.spokes.applied += 1 }
                default:
                    // A failed apply that names no object (the applier could not start) failed
                    // every object it was given.
                    if failedSpokes.contains(sp.spoke.name) {
                        w.spokes.failed += 1
                        w.failedOn.append(sp.spoke.name)
                    }
                }
                workloads[p.ref] = w
            }
        }
        return StatusSnapshot(hub: hub, spokes: spokes, workloads: workloads.keys.sorted().map { workloads[$0]! })
    }
}
