import FlotillaModel

/// What `GET /api/v1/status` returns and `flotilla status` prints.
public struct StatusSnapshot: Sendable, Codable, Equatable {
    public struct SpokeStatus: Sendable, Codable, Equatable {
        public var name: String
        public var online: Bool
        /// Seconds since 1970 of the last presence or report.
        public var lastSeen: Double?
        public var desiredGeneration: Int64
        public var appliedGeneration: Int64?
        /// Pending, Applying, Applied, Failed, or Removed (left the inventory).
        public var phase: String
        /// Distinct reports stored.
        public var reportsReceived: Int64
        public var duplicatesAbsorbed: Int64
        public var lastSequence: Int64
        public var ackedSequence: Int64
        public var errors: [String]
    }

    public struct WorkloadStatus: Sendable, Codable, Equatable {
        public struct Counts: Sendable, Codable, Equatable {
            public var desired: Int
            public var applied: Int
            public var failed: Int
        }

        public var apiVersion: String
        public var kind: String
        public var namespace: String
        public var name: String
        public var spokes: Counts
        /// Spokes where it failed.
        public var failedOn: [String]
    }

    public struct HubInfo: Sendable, Codable, Equatable {
        public var source: String
        public var sourceError: String?
        public var brokerConnected: Bool
    }

    public var hub: HubInfo
    public var spokes: [SpokeStatus]
    public var workloads: [WorkloadStatus]
}

extension Hub {
    /// The fleet as the hub sees it now.
    public func statusSnapshot() async throws -> StatusSnapshot {
        let records = try await store.spokes()
        var spokes: [StatusSnapshot.SpokeStatus] = []
        var results: [String: [ObjectRef: ObjectStatus.State]] = [:]
        var converged: Set<String> = []
        for r in records {
            var phase = r.phase
            if !r.inInventory { phase = "Removed" } else if phase == "Applied", (r.appliedGeneration ?? 0) < r.generation {
                phase = "Applying"
            }
            if r.inInventory, r.phase == "Applied", r.appliedGeneration == r.generation { converged.insert(r.name) }
            var states: [ObjectRef: ObjectStatus.State] = [:]
            for o in r.lastResult { states[o.ref] = o.state }
            results[r.name] = states
            spokes.append(
                StatusSnapshot.SpokeStatus(
                    name: r.name, online: r.online, lastSeen: r.lastSeen, desiredGeneration: r.generation,
                    appliedGeneration: r.appliedGeneration, phase: phase, reportsReceived: r.reportsStored,
                    duplicatesAbsorbed: r.duplicates, lastSequence: r.lastSeq, ackedSequence: r.ackedSeq,
                    errors: [r.planError, r.lastError].compactMap { $0 }))
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
                default: break
                }
                workloads[p.ref] = w
            }
        }
        return StatusSnapshot(
            hub: .init(source: configuration.sourceDirectory, sourceError: sourceError, brokerConnected: connected),
            spokes: spokes, workloads: workloads.keys.sorted().map { workloads[$0]! })
    }
}
