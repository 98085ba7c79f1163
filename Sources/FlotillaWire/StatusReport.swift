import FlotillaModel
import Crypto
import Foundation

/// One report on `…/status`: numbered per spoke and agent database (`epoch`), so the hub can
/// store each exactly once and acknowledge a contiguous watermark.
public struct StatusReport: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, Hashable {
        /// A bundle was stored by the agent (before apply).
        case received
        /// The applier ran the bundle; see `objects`.
        case applied
        /// The applier failed; see `message` and `objects`.
        case failed
        /// A bundle was refused (bad signature, replay, wrong spoke, too large…).
        case refused
        /// Anything else worth telling the hub (start-up, drift corrected).
        case event
    }

    /// Per-spoke sequence number, starting at 1, never reused within an epoch.
    public var seq: Int64
    /// Identifies the agent database the sequence belongs to (new database, new numbering).
    public var epoch: String
    public var kind: Kind
    public var generation: Int64?
    public var hash: String?
    public var message: String?
    public var objects: [ObjectStatus]?
    /// Seconds since 1970 when the agent created the report.
    public var time: Double
    /// With a refusal for staleness: the generation the agent holds. A hub that lost its
    /// database uses it to continue above it instead of being refused forever.
    public var storedGeneration: Int64?

    public init(
        seq: Int64, epoch: String, kind: Kind, generation: Int64? = nil, hash: String? = nil, message: String? = nil,
        objects: [ObjectStatus]? = nil, time: Double, storedGeneration: Int64? = nil
    ) {
        self.storedGeneration = storedGeneration
        self.seq = seq
        self.epoch = epoch
        self.kind = kind
        self.generation = generation
        self.hash = hash
        self.message = message
        self.objects = objects
        self.time = time
    }

    public func encoded() -> [UInt8] {
        (try? Value(encodable: self).canonicalJSON) ?? []
    }

    /// Total decoding: malformed bytes give `nil`, never a crash.
    public static func decode(_ bytes: [UInt8]) -> StatusReport? {
        try? JSONDecoder().decode(StatusReport.self, from: Data(bytes))
    }

    /// Decodes and checks a report from the wire: size first (before any parsing), then
    /// shape, then every bound of the protocol.
    /// - Throws: ``WireRefusal`` naming the field at fault.
    public static func parse(_ bytes: [UInt8], maxBytes: Int = WireLimits.defaultMaxReportBytes) throws(WireRefusal) -> StatusReport {
        if bytes.count <= maxBytes, let report = fastDecode(bytes) {
            try report.validate()
            return report
        }
        let report = try WireRefusal.decode(StatusReport.self, from: bytes, maxBytes: maxBytes)
        try report.validate()
        return report
    }

    /// Checks the protocol's bounds on every number and the epoch's format.
    public func validate() throws(WireRefusal) {
        try WireLimits.checkEpoch(epoch)
        try WireLimits.check(seq, field: "seq", min: 1)
        try WireLimits.check(generation, field: "generation", min: 1)
        try WireLimits.check(storedGeneration, field: "storedGeneration", min: 1)
        guard time.isFinite else { throw WireRefusal(field: "time", reason: "must be a finite number") }
    }

    /// What this project's agent keeps its reports under: the hub's default limit less room
    /// for a hub configured a little lower.
    public static let agentMaxBytes = WireLimits.defaultMaxReportBytes - 16 * 1024

    /// The report, shortened to fit `maxBytes`: a huge bundle's per-object list is cut (failed
    /// objects kept first) and the message says how many were left out, so the report still
    /// travels instead of being refused for ever and blocking the outbox behind it.
    public func fitted(maxBytes: Int) -> StatusReport {
        guard encoded().count > maxBytes else { return self }
        var out = self
        if let message, message.utf8.count > 4096 {
            out.message = String(decoding: message.utf8.prefix(4096), as: UTF8.self) + "…"
        }
        guard let objects, !objects.isEmpty else { return out }
        let ordered = objects.filter { $0.state == .failed } + objects.filter { $0.state != .failed }
        // Halve until it fits, then grow back: a handful of encodings, not one per object.
        var keep = ordered.count
        func trial(_ n: Int) -> StatusReport {
            var r = out
            r.objects = Array(ordered.prefix(n))
            let note = "\(ordered.count - n) of \(ordered.count) objects omitted to fit the report limit"
            r.message = [out.message, note].compactMap { $0 }.joined(separator: "; ")
            return r
        }
        while keep > 0, trial(keep).encoded().count > maxBytes { keep /= 2 }
        var step = max(1, keep / 2)
        while step > 0 {
            if keep + step <= ordered.count, trial(keep + step).encoded().count <= maxBytes { keep += step } else { step /= 2 }
        }
        return trial(keep)
    }

    /// The dedup key's companion: lowercase hex SHA-256 of a report's payload exactly as sent.
    /// The same key with another digest is a collision, not a duplicate.
    public static func digest(of bytes: [UInt8]) -> String {
        Hex.encode(SHA256.hash(data: bytes))
    }
}
