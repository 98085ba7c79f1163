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
        public var phase: SpokePhase
        /// Runs the generation the hub wants (the one definition: ``FleetStatus/isConverged(_:)``).
        public var converged: Bool
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

        public init(source: String, sourceError: String?, brokerConnected: Bool) {
            self.source = source
            self.sourceError = sourceError
            self.brokerConnected = brokerConnected
        }
    }

    public var hub: HubInfo
    public var spokes: [SpokeStatus]
    public var workloads: [WorkloadStatus]
}

extension Hub {
    /// The fleet as the hub sees it now.
    public func statusSnapshot() async throws -> StatusSnapshot {
        FleetStatus.snapshot(
            records: try await store.spokes(), plan: plan,
            hub: .init(source: configuration.sourceDirectory, sourceError: sourceError, brokerConnected: connected))
    }
}
