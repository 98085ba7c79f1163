/// Exponential reconnect delays with full jitter: after a broker restart thousands of spokes must
/// not reconnect in lock-step (libmosquitto's own backoff has no jitter).
struct ReconnectBackoff: Sendable {
    let minimum: Double
    let maximum: Double
    private(set) var ceiling: Double

    init(minimum: Double, maximum: Double) {
        self.minimum = minimum
        self.maximum = maximum
        ceiling = minimum
    }

    /// A delay drawn uniformly from 0 to the current ceiling, which then doubles up to `maximum`.
    mutating func next() -> Double {
        let delay = Double.random(in: 0...max(0, ceiling))
        ceiling = min(maximum, max(minimum, ceiling * 2))
        return delay
    }

    /// A connection was accepted: the next loss starts again from `minimum`.
    mutating func reset() { ceiling = minimum }
}
