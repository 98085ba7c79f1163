import FlotillaModel
import FlotillaWire
import Foundation
import GRDB

/// A report as it arrived, with the digest of its bytes (the companion of its dedup key).
public struct IncomingReport: Sendable {
    public var report: StatusReport
    public var digest: String
    /// The bytes as sent, stored as the report's body; `nil` stores the report's canonical encoding.
    public var body: [UInt8]?

    public init(report: StatusReport, digest: String, body: [UInt8]? = nil) {
        self.report = report
        self.digest = digest
        self.body = body
    }
}

/// The reports of one spoke within a batch.
public struct SpokeReports: Sendable {
    public var spoke: String
    public var reports: [IncomingReport]

    public init(spoke: String, reports: [IncomingReport]) {
        self.spoke = spoke
        self.reports = reports
    }
}

/// What one ingest of a spoke's batch did; the hub's metrics and logs come from it.
public struct IngestResult: Sendable, Equatable {
    public var stored = 0
    public var duplicates = 0
    /// Reports whose key was stored with other content: not stored, no effect.
    public var collisions = 0
    /// The ack to publish, if any.
    public var ack: Ack?
    /// Claims the hub did not take, as log lines naming the field.
    public var ignoredClaims: [String] = []
    /// The highest `storedGeneration` of a staleness refusal stored in this batch.
    public var storedGenerationClaim: Int64?

    public init() {}
}

/// How many reports the hub keeps per spoke. Counters and the current state are kept for ever.
public struct ReportRetention: Sendable, Equatable {
    public var perSpoke: Int
    public var maxAge: Double

    /// Reports kept above their watermark, waiting for a gap to fill, beyond the history:
    /// far more than an agent keeps in flight.
    public static let aheadOfWatermark = 1000
    /// Epochs whose watermark is remembered per spoke (each new agent database is one).
    public static let epochsKept = 16

    public init(perSpoke: Int = 100, maxAgeDays: Double = 7) {
        self.perSpoke = max(1, perSpoke)
        maxAge = maxAgeDays * 86_400
    }
}

extension HubStore {
    /// Stores the reports of one spoke, each once, and advances its watermark, all in one
    /// transaction; only after it commits may the ack be published. A spoke without a row (not
    /// in any plan) gets nothing: reports never create spokes.
    public func ingest(spoke: String, reports: [IncomingReport], retention: ReportRetention = ReportRetention()) async throws -> IngestResult {
        try await ingest([SpokeReports(spoke: spoke, reports: reports)], retention: retention)[0]
    }

    /// Stores a batch of many spokes' reports in one transaction (one commit, one sync for
    /// thousands of reports), with each spoke's rows, watermark and counters exactly as if its
    /// reports came alone. Results are in the batch's order; acks may be published only after
    /// this returns.
    public func ingest(_ batch: [SpokeReports], retention: ReportRetention = ReportRetention()) async throws -> [IngestResult] {
        guard batch.contains(where: { !$0.reports.isEmpty }) else { return batch.map { _ in IngestResult() } }
        return try await db.write { db in
            let now = Date().timeIntervalSince1970
            return try batch.map { try Self.ingest(db, spoke: $0.spoke, reports: $0.reports, retention: retention, now: now) }
        }
    }

    static func ingest(_ db: Database, spoke: String, reports: [IncomingReport], retention: ReportRetention, now: Double) throws -> IngestResult {
        var result = IngestResult()
        guard !reports.isEmpty,
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT generation, epoch FROM spoke WHERE name = ?"), arguments: [spoke])
        else {
            return result
        }
        let published: Int64 = row["generation"]
        let findDigest = try db.cachedStatement(sql: "SELECT digest FROM report WHERE spoke = ? AND epoch = ? AND seq = ?")
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO report (spoke, epoch, seq, kind, generation, body, receivedAt, digest)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        var watermarks: [String: Int64] = [:]
        func watermark(_ epoch: String) throws -> Int64 {
            if let w = watermarks[epoch] { return w }
            let w = try Int64.fetchOne(db.cachedStatement(sql: "SELECT ackedSeq FROM epoch WHERE spoke = ? AND epoch = ?"), arguments: [spoke, epoch]) ?? 0
            watermarks[epoch] = w
            return w
        }
        var newestEpoch: String?
        var collided: String?
        for incoming in reports {
            let r = incoming.report
            if let stored = try Row.fetchOne(findDigest, arguments: [spoke, r.epoch, r.seq]) {
                let digest: String? = stored[0]
                // Rows from before digests were kept cannot collide.
                if digest == nil || digest == incoming.digest {
                    result.duplicates += 1
                } else {
                    result.collisions += 1
                    collided = r.epoch
                }
                continue
            }
            // Below the epoch's watermark: stored once and pruned since.
            if r.seq <= (try watermark(r.epoch)) {
                result.duplicates += 1
                continue
            }
            try insert.execute(arguments: [
                spoke, r.epoch, r.seq, r.kind.rawValue, r.generation, Data(incoming.body ?? r.encoded()), now, incoming.digest,
            ])
            result.stored += 1
            try Self.applyEffects(db, spoke: spoke, report: r, published: published, result: &result)
            newestEpoch = r.epoch
        }
        try db.cachedStatement(
            sql: """
                UPDATE spoke SET reportsStored = reportsStored + ?, duplicates = duplicates + ?, collisions = collisions + ?,
                    lastSeen = CASE WHEN ? > 0 THEN ? ELSE lastSeen END WHERE name = ?
                """
        ).execute(arguments: [result.stored, result.duplicates, result.collisions, result.stored, now, spoke])
        if let collided, newestEpoch == nil || newestEpoch == collided {
            // The sender reuses numbers of a history this hub stored: make it number anew.
            var ack = try Self.currentAck(db, spoke: spoke, epoch: collided)
            ack.newEpoch = true
            result.ack = ack
        } else if let newestEpoch {
            // Stored reports of a newer epoch beside collisions in an older one: the sender has
            // already numbered anew, so the ack that helps it is the new epoch's.
            result.ack = try Self.advanceWatermark(db, spoke: spoke, epoch: newestEpoch)
        } else if let current = row["epoch"] as String?, reports.contains(where: { $0.report.epoch == current }) {
            // Only duplicates: a late straggler of an old agent database must not switch the
            // spoke's epoch. Repeat the current ack (its retained copy may have been lost),
            // moved over whatever is stored contiguously.
            result.ack = try Self.advanceWatermark(db, spoke: spoke, epoch: current)
        }
        if result.stored > 0 { try Self.prune(db, spoke: spoke, retention: retention, now: now) }
        return result
    }

    static func applyEffects(_ db: Database, spoke: String, report r: StatusReport, published: Int64, result: inout IngestResult) throws {
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT epoch, lastSeq FROM spoke WHERE name = ?"), arguments: [spoke])
        let sameEpoch = (row?["epoch"] as String?) == r.epoch
        let lastSeq: Int64 = sameEpoch ? (row?["lastSeq"] ?? 0) : 0
        // Effects follow the agent's order: a late duplicate of an old report changes nothing.
        guard r.seq > lastSeq else { return }
        if sameEpoch {
            try db.cachedStatement(sql: "UPDATE spoke SET lastSeq = ? WHERE name = ?").execute(arguments: [r.seq, spoke])
        } else {
            // A new agent database numbers from 1 again; its watermark is recomputed from stored rows.
            try db.cachedStatement(sql: "UPDATE spoke SET epoch = ?, lastSeq = ?, ackedSeq = 0 WHERE name = ?").execute(arguments: [r.epoch, r.seq, spoke])
        }
        // A spoke can only speak of generations this hub published; anything above is a claim
        // nobody can check, so it changes nothing (the report itself is kept as evidence).
        if let generation = r.generation, generation > published, r.kind != .event, r.kind != .refused {
            result.ignoredClaims.append(
                "\(r.kind.rawValue) report seq \(r.seq) claims generation \(generation), above the newest this hub published (\(published)); ignored")
            return
        }
        switch r.kind {
        case .applied:
            try db.cachedStatement(sql: "UPDATE spoke SET appliedGeneration = ?, appliedHash = ?, phase = 'Applied', lastError = NULL, lastResult = ? WHERE name = ?").execute(arguments: [r.generation, r.hash, Self.objectsJSON(r.objects), spoke])
        case .failed:
            try db.cachedStatement(sql: "UPDATE spoke SET phase = 'Failed', lastError = ?, lastResult = ? WHERE name = ?").execute(arguments: [r.message, Self.objectsJSON(r.objects), spoke])
        case .refused:
            // A refusal of what the hub wants the spoke to run (or of a bundle it could not even
            // read) means the spoke is not on it; a refused replay of an older one changes nothing.
            let current = r.generation.map { $0 >= published } ?? true
            try db.cachedStatement(sql: "UPDATE spoke SET lastError = ?, phase = CASE WHEN ? THEN 'Refused' ELSE phase END WHERE name = ?").execute(arguments: [r.message, current && r.storedGeneration == nil, spoke])
            if let held = r.storedGeneration { result.storedGenerationClaim = max(result.storedGenerationClaim ?? held, held) }
        case .received:
            try db.cachedStatement(sql: "UPDATE spoke SET phase = 'Applying' WHERE name = ? AND (appliedGeneration IS NULL OR appliedGeneration < ?)").execute(arguments: [spoke, r.generation])
        case .event:
            break
        }
    }

    static func objectsJSON(_ objects: [ObjectStatus]?) -> String? {
        objects.map { String(decoding: Value.array($0.map(\.value)).canonicalJSON, as: UTF8.self) }
    }

    /// Moves the epoch's watermark over every contiguous stored sequence number and makes it
    /// the spoke's current epoch.
    static func advanceWatermark(_ db: Database, spoke: String, epoch: String) throws -> Ack {
        var acked = try Int64.fetchOne(db.cachedStatement(sql: "SELECT ackedSeq FROM epoch WHERE spoke = ? AND epoch = ?"), arguments: [spoke, epoch]) ?? 0
        let later = try Int64.fetchAll(db.cachedStatement(sql: "SELECT seq FROM report WHERE spoke = ? AND epoch = ? AND seq > ? ORDER BY seq"), arguments: [spoke, epoch, acked])
        for seq in later {
            guard seq == acked + 1 else { break }
            acked = seq
        }
        try setWatermark(db, spoke: spoke, epoch: epoch, acked: acked)
        try db.cachedStatement(sql: "UPDATE spoke SET epoch = ?, ackedSeq = ? WHERE name = ?").execute(arguments: [epoch, acked, spoke])
        return try currentAck(db, spoke: spoke, epoch: epoch)
    }

    static func setWatermark(_ db: Database, spoke: String, epoch: String, acked: Int64) throws {
        try db.cachedStatement(sql: """
                INSERT INTO epoch (spoke, epoch, ackedSeq, seenAt) VALUES (?, ?, ?, ?)
                ON CONFLICT(spoke, epoch) DO UPDATE SET ackedSeq = max(ackedSeq, excluded.ackedSeq), seenAt = excluded.seenAt
                """).execute(arguments: [spoke, epoch, acked, Date().timeIntervalSince1970])
    }

    /// The epoch's watermark with the digest of the report at it, when still stored.
    static func currentAck(_ db: Database, spoke: String, epoch: String) throws -> Ack {
        let acked = try Int64.fetchOne(db.cachedStatement(sql: "SELECT ackedSeq FROM epoch WHERE spoke = ? AND epoch = ?"), arguments: [spoke, epoch]) ?? 0
        let digest = try String.fetchOne(db.cachedStatement(sql: "SELECT digest FROM report WHERE spoke = ? AND epoch = ? AND seq = ?"), arguments: [spoke, epoch, acked])
        return Ack(epoch: epoch, seq: acked, hash: digest)
    }

    /// Keeps the newest `perSpoke` reports of a spoke and none older than `maxAge`. Only
    /// reports under their epoch's watermark go: the ones above are still needed to move it.
    static func prune(_ db: Database, spoke: String, retention: ReportRetention, now: Double) throws {
        var count = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM report WHERE spoke = ?"), arguments: [spoke]) ?? 0
        // Prune in steps of a quarter of the history, not on every batch.
        let slack = max(1, retention.perSpoke / 4)
        if count > retention.perSpoke + slack {
            defer { count = (try? Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM report WHERE spoke = ?"), arguments: [spoke])) ?? count }
            try db.cachedStatement(sql: """
                    DELETE FROM report WHERE spoke = ?1 AND (epoch, seq) IN (
                        SELECT r.epoch, r.seq FROM report r JOIN epoch e ON e.spoke = r.spoke AND e.epoch = r.epoch
                        WHERE r.spoke = ?1 AND r.seq <= e.ackedSeq
                        ORDER BY r.receivedAt DESC, r.seq DESC LIMIT -1 OFFSET ?2)
                    """).execute(arguments: [spoke, retention.perSpoke])
        }
        // Reports above a watermark wait for the gap below them to fill, which an honest agent
        // does within its window of in-flight reports. A spoke that numbers with gaps on purpose
        // (or opens epoch after epoch) must not grow the file: past a hard cap the oldest go
        // regardless, and so do the watermarks of all but its newest epochs.
        let cap = retention.perSpoke + ReportRetention.aheadOfWatermark
        if count > cap {
            try db.cachedStatement(sql: """
                    DELETE FROM report WHERE spoke = ?1 AND (epoch, seq) IN (
                        SELECT epoch, seq FROM report WHERE spoke = ?1 ORDER BY receivedAt DESC, seq DESC LIMIT -1 OFFSET ?2)
                    """).execute(arguments: [spoke, cap])
        }
        try db.cachedStatement(sql: """
                DELETE FROM epoch WHERE spoke = ?1 AND epoch NOT IN (
                    SELECT epoch FROM epoch WHERE spoke = ?1 ORDER BY seenAt DESC LIMIT ?2)
                """).execute(arguments: [spoke, ReportRetention.epochsKept])
        try db.cachedStatement(sql: """
                DELETE FROM report WHERE spoke = ?1 AND receivedAt < ?2 AND seq <= (
                    SELECT e.ackedSeq FROM epoch e WHERE e.spoke = report.spoke AND e.epoch = report.epoch)
                """).execute(arguments: [spoke, now - retention.maxAge])
    }

    /// What this hub has acknowledged of one epoch of a spoke (0 when nothing).
    public func watermark(spoke: String, epoch: String) async throws -> Int64 {
        try await db.read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT ackedSeq FROM epoch WHERE spoke = ? AND epoch = ?"), arguments: [spoke, epoch]) ?? 0
        }
    }

    /// Removes reports older than the retention's age for every spoke; run now and then, so a
    /// spoke that went quiet still loses its old reports.
    public func pruneByAge(_ retention: ReportRetention) async throws {
        let cutoff = Date().timeIntervalSince1970 - retention.maxAge
        try await db.write { db in
            try db.cachedStatement(sql: """
                    DELETE FROM report WHERE receivedAt < ? AND seq <= (
                        SELECT e.ackedSeq FROM epoch e WHERE e.spoke = report.spoke AND e.epoch = report.epoch)
                    """).execute(arguments: [cutoff])
        }
    }
}
