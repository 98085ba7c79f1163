/// Builds many envelopes on every core: deflate and Ed25519 dominate a fan-out of thousands of
/// changed bundles, and each envelope is independent of the others.
public enum EnvelopeBatch {
    /// One envelope to build.
    public struct Job: Sendable {
        public var spoke: String
        public var generation: Int64
        public var payload: [UInt8]

        public init(spoke: String, generation: Int64, payload: [UInt8]) {
            self.spoke = spoke
            self.generation = generation
            self.payload = payload
        }
    }

    /// Encodes every job; blocks the calling thread, so call it off the cooperative pool.
    /// - Throws: the first encoding error (compression failing is the only source).
    public static func build(_ jobs: [Job], signingWith key: SigningKey?) throws -> [[UInt8]] {
        let results: [Result<[UInt8], any Error>] = ParallelMap.map(jobs.count, serialBelow: 32) { i in
            Result { try Envelope(spoke: jobs[i].spoke, generation: jobs[i].generation, payload: jobs[i].payload).encode(signingWith: key) }
        }
        return try results.map { try $0.get() }
    }
}
