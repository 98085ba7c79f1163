/// The figures of one `flotilla bench source` run (`-o json` prints this). Times in
/// milliseconds, memory in KiB, rates per second.
public struct SourceBenchmarkResult: Sendable, Codable {
    public struct Source: Sendable, Codable {
        public var spokes: Int
        public var objects: Int
        public var policies: Int
        public var files: Int
        public var bytes: Int
        public var writeMs: Double
        /// Objects in all bundles, counted from the bundles the hub published.
        public var placements: Int
        /// Mean size of a hub envelope (deflated and signed), bytes.
        public var meanBundleBytes: Int
    }

    /// One run of the `flotilla` executable to completion.
    public struct ChildRun: Sendable, Codable {
        public var arguments: [String]
        public var wallMs: Double
        /// `ru_maxrss` of the child from `wait4`.
        public var peakRSSKiB: Int
    }

    public struct Plan: Sendable, Codable {
        /// `plan --source DIR -o json`, stdout to /dev/null.
        public var full: ChildRun
        /// `plan --source DIR --spoke NAME`, stdout to /dev/null.
        public var oneSpoke: ChildRun
    }

    public struct Hub: Sendable, Codable {
        /// `--poll` of the hub: the source is checked this often.
        public var pollSeconds: Double
        /// From spawning `hub run` to a bundle for every spoke at the subscriber.
        public var startToConvergedMs: Double
        public var bundles: Int
        /// `VmRSS` and `VmHWM` of the hub after convergence (after a second of quiet).
        public var rssKiB: Int
        public var peakRSSKiB: Int
        /// The same at the end of the run, after the status bursts.
        public var rssAtEndKiB: Int
        public var peakRSSAtEndKiB: Int
    }

    public struct EverySpokeChange: Sendable, Codable {
        public var file: String
        public var spokes: Int
        /// Spokes whose generation went up.
        public var newBundles: Int
        public var writeToFirstNewBundleMs: Double
        public var writeToLastNewBundleMs: Double
        /// newBundles / (last new bundle − first new bundle).
        public var hubBundlesPerSecond: Double
    }

    public struct OneSpokeChange: Sendable, Codable {
        public var file: String
        public var spoke: String
        public var writeToNewBundleMs: Double
        /// Spokes with a new generation once the change settled: 1 when only the spoke changed.
        public var spokesWithNewBundle: Int
        public var settleMs: Double
    }

    public struct BarePublish: Sendable, Codable {
        /// The hub's newest envelopes, the same bytes, on a scratch topic per spoke.
        public var messages: Int
        public var bytes: Int
        public var firstPublishToLastPubackMs: Double
        public var messagesPerSecond: Double
        /// A subscriber's first and last message of that burst.
        public var subscriberFirstToLastMs: Double
        public var subscriberReceived: Int
        /// hubBundlesPerSecond / messagesPerSecond.
        public var hubToBareRatio: Double
        /// subscriberReceived / subscriberFirstToLast: the bare burst timed where the hub's is.
        public var subscriberMessagesPerSecond: Double
        /// hubBundlesPerSecond / subscriberMessagesPerSecond: both first → last arrival at a subscriber.
        public var hubToBareAtSubscriberRatio: Double
    }

    public struct StatusIngest: Sendable, Codable {
        public var reports: Int
        public var meanReportBytes: Int
        /// `flotilla_hub_reports_stored_total` grew by this much.
        public var hubStored: Int
        /// First publish → the counter at `reports` (polled every 20 ms).
        public var hubFirstPublishToStoredMs: Double
        public var hubReportsPerSecond: Double
        /// First publish → last PUBACK of the burst to the hub's topics.
        public var publisherFirstToLastPubackMs: Double
        public var hubDuplicates: Int
        public var hubRefused: Int
        public var hubUnknownSpoke: Int
        /// The same reports on scratch topics, to a bare subscriber.
        public var bareReceived: Int
        public var bareFirstPublishToLastReceivedMs: Double
        public var bareReportsPerSecond: Double
        /// hubReportsPerSecond / bareReportsPerSecond.
        public var hubToBareRatio: Double
    }

    public var source: Source
    public var plan: Plan
    public var hub: Hub
    public var everySpokeChange: EverySpokeChange
    public var oneSpokeChange: OneSpokeChange
    public var barePublish: BarePublish
    public var statusIngest: StatusIngest
}
