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
        /// The payload's hex SHA-256 when the caller has it (the planner does): not computed again.
        public var hash: String?

        public init(spoke: String, generation: Int64, payload: [UInt8], hash: String? = nil) {
            self.spoke = spoke
            self.generation = generation
            self.payload = payload
            self.hash = hash
        }
    }

    /// Encodes every job; blocks the calling thread, so call it off the cooperative pool.
    ///
    /// Jobs whose payload is the same array (spokes of one placement group share it) are
    /// hashed and deflated once; only the header and signature are per spoke.
    /// - Throws: the first encoding error (compression failing is the only source).
    public static func build(_ jobs: [Job], signingWith key: SigningKey?) throws -> [[UInt8]] {
        // Distinct payloads by storage: arrays that share a buffer hold the same bytes, and the
        // jobs keep every buffer alive for the whole build, so no address is reused.
        var slot: [UnsafeRawPointer?: Int] = [:]
        var distinct: [[UInt8]] = []
        var hashes: [String?] = []
        var payloadOf = [Int](repeating: 0, count: jobs.count)
        for (i, job) in jobs.enumerated() {
            let address = job.payload.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
            if let known = slot[address], distinct[known].count == job.payload.count {
                payloadOf[i] = known
            } else {
                slot[address] = distinct.count
                payloadOf[i] = distinct.count
                distinct.append(job.payload)
                hashes.append(job.hash)
            }
        }
        let payloads = distinct
        let knownHashes = hashes
        // One deflate state per chunk: zlib streams are expensive to create and not thread-safe.
        let chunks = payloads.count < 64 ? 1 : 16
        let prepared: [Result<[Envelope.PreparedPayload], any Error>] = ParallelMap.map(chunks, serialBelow: 2) { chunk in
            Result {
                let deflater = try PayloadDeflater()
                return try (chunk * payloads.count / chunks..<(chunk + 1) * payloads.count / chunks).map { i in
                    try Envelope.PreparedPayload(payloads[i], hash: knownHashes[i], deflater: deflater)
                }
            }
        }
        let ready = try prepared.flatMap { try $0.get() }
        let order = payloadOf
        let envelopes: [Result<[UInt8], any Error>] = ParallelMap.map(jobs.count) { i in
            Result { try Envelope.encode(spoke: jobs[i].spoke, generation: jobs[i].generation, prepared: ready[order[i]], signingWith: key) }
        }
        return try envelopes.map { try $0.get() }
    }
}
