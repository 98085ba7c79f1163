import Crypto
import FlotillaConcurrency
import FlotillaModel
import Foundation

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
        /// The key that signed the bundle published for it (empty: unsigned).
        public var keyId: String?
        /// The agent's version, from its presence.
        public var agentVersion: String?
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
        /// Why the source or some spokes' bundles could not be used (the last good ones stay live).
        public var sourceError: String?
        /// The whole source as it was last read was rejected: nothing of it is live.
        public var sourceRejected: Bool
        /// The revision of the source files the hub last read (a digest of paths, sizes and times).
        public var sourceRevision: String?
        /// The revision of the source files on disk now: when it differs, the hub has not read
        /// the newest edit yet.
        public var sourceRevisionOnDisk: String?
        public var brokerConnected: Bool

        public init(
            source: String, sourceError: String?, sourceRejected: Bool = false, sourceRevision: String? = nil,
            sourceRevisionOnDisk: String? = nil, brokerConnected: Bool
        ) {
            self.source = source
            self.sourceError = sourceError
            self.sourceRejected = sourceRejected
            self.sourceRevision = sourceRevision
            self.sourceRevisionOnDisk = sourceRevisionOnDisk
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
        let loader = self.loader
        let onDisk = await BlockingPool.run { loader.fingerprint() }
        let down = await ingest.bridgesDown
        var unreachable: [String: String] = [:]
        for sp in plan?.spokes ?? [] {
            if let bridge = sp.spoke.annotations[FleetStatus.siteBridgeAnnotation], down.contains(bridge) { unreachable[sp.spoke.name] = bridge }
        }
        return FleetStatus.snapshot(
            records: try await store.spokes(), plan: plan, unreachable: unreachable,
            hub: .init(
                source: configuration.sourceDirectory, sourceError: sourceError, sourceRejected: sourceRejected,
                sourceRevision: readFingerprint.map(Self.revision), sourceRevisionOnDisk: Self.revision(onDisk),
                brokerConnected: connected),
            now: Date().timeIntervalSince1970, retiredGrace: configuration.retiredGrace)
    }

    /// A short name for a source fingerprint.
    static func revision(_ fingerprint: String) -> String {
        Hex.encode(SHA256.hash(data: Array(fingerprint.utf8)).prefix(8))
    }
}
