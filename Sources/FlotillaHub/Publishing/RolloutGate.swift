import FlotillaStore

/// Decides which spokes get their newly planned generation now: the seam between "planned" and
/// "published". A spoke held back keeps its current bundle and is offered again at the next
/// plan. Progressive rollouts (waves, a concurrency limit, a failure threshold) plug in here.
public protocol RolloutGate: Sendable {
    /// The candidates that may be published now, a subset of `candidates`.
    func admit(_ candidates: [BundlePublisher.Candidate]) async -> [BundlePublisher.Candidate]
}

/// Publishes every change at once.
public struct AdmitAll: RolloutGate {
    public init() {}
    public func admit(_ candidates: [BundlePublisher.Candidate]) async -> [BundlePublisher.Candidate] { candidates }
}
