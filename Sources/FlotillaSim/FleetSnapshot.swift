import Foundation

/// Exact counts of what a ``FleetSimulator``'s spokes did, as of one moment (taken under one
/// lock, so they agree with each other).
public struct FleetSnapshot: Sendable, Hashable {
    public var spokes = 0
    /// Connections handed to the driver so far (they start at the configured rate).
    public var started = 0
    /// Spokes whose connection is up now.
    public var connected = 0
    /// CONNACKs accepted, first connects and reconnects alike.
    public var connects = 0
    public var disconnects = 0
    /// Failed connection attempts (refused, unreachable, TLS).
    public var connectFailures = 0
    /// Messages delivered on `desired`, retained re-deliveries and empty (cleared) ones included.
    public var bundlesReceived = 0
    /// Deliveries refused: bad envelope, signature, hash, spoke, name, replay, or cleared.
    public var bundlesRefused = 0
    /// Deliveries of the bundle a spoke already holds (every reconnect brings the retained one
    /// again): recognised and left alone, so no apply and no report.
    public var duplicatesAvoided = 0
    /// Bundles applied (stored, then run by the null applier), renumbered ones included.
    public var applies = 0
    /// How many spokes run each generation (their newest applied one); spokes that applied
    /// nothing yet are not counted.
    public var appliedGenerations: [Int64: Int] = [:]
    /// Reports written to the spokes' outboxes: distinct reports, not sends.
    public var reportsWritten = 0
    /// Publishes of reports, first sends and resends alike.
    public var reportsSent = 0
    /// Publishes of a report that had been published before (after a reconnect, or when acks
    /// stalled): the hub stores it if the first copy was lost, and otherwise absorbs it as a duplicate.
    public var resends = 0
    /// Reports deleted from the outboxes because a hub ack covered them.
    public var reportsAcked = 0
    /// Times a spoke started a new epoch on the hub's word (`newEpoch`, or an ack it never earned).
    public var epochsStarted = 0
    /// Connections dropped on purpose (socket shut down, no DISCONNECT: the broker sends the will).
    public var flaps = 0
    /// When the first bundle arrived, and when a spoke last applied one.
    public var firstBundleAt: Date?
    public var lastApplyAt: Date?

    public init() {}

    /// Reports written and not yet covered by a hub ack.
    public var reportsPending: Int { reportsWritten - reportsAcked }

    /// Spokes whose newest applied generation is at least `generation`.
    public func spokesApplied(atLeast generation: Int64) -> Int {
        appliedGenerations.reduce(0) { $0 + ($1.key >= generation ? $1.value : 0) }
    }

    /// The highest generation any spoke applied (0: none).
    public var newestGeneration: Int64 { appliedGenerations.keys.max() ?? 0 }

    /// One line for people.
    public var summary: String {
        let generations = appliedGenerations.keys.sorted(by: >).prefix(3).map { "g\($0): \(appliedGenerations[$0]!)" }
        let applied = generations.isEmpty ? "none" : generations.joined(separator: ", ")
        return "connected \(connected)/\(spokes) (connects \(connects), failures \(connectFailures), flaps \(flaps))"
            + " | bundles \(bundlesReceived) (refused \(bundlesRefused), same \(duplicatesAvoided)) | applied \(applied)"
            + " | reports sent \(reportsSent) (resends \(resends)) acked \(reportsAcked) pending \(reportsPending)"
    }
}
