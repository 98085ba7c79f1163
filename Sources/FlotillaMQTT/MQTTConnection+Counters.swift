extension MQTTConnection {
    /// Counts of what a connection did, for tests and diagnostics.
    public struct Counters: Sendable, Hashable {
        /// CONNACKs accepted.
        public var connects = 0
        /// SUBSCRIBE requests sent again on a connect (one per filter per connect).
        public var resubscribes = 0
        /// SUBACKs received, for renewed and new subscriptions alike.
        public var subacks = 0

        public init() {}
    }
}
