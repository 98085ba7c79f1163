import FlotillaConcurrency
import FlotillaModel
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
        // One deflate state per chunk: zlib streams are expensive to create and not thread-safe.
        let chunks = jobs.count < 64 ? 1 : 16
        let results: [Result<[[UInt8]], any Error>] = ParallelMap.map(chunks, serialBelow: 2) { chunk in
            Result {
                let deflater = try PayloadDeflater()
                return try (chunk * jobs.count / chunks..<(chunk + 1) * jobs.count / chunks).map { i in
                    try Envelope(spoke: jobs[i].spoke, generation: jobs[i].generation, payload: jobs[i].payload)
                        .encode(signingWith: key, deflater: deflater)
                }
            }
        }
        return try results.flatMap { try $0.get() }
    }
}
