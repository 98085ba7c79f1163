import FlotillaModel
import FlotillaWire
import Foundation
import GRDB

/// An agent's SQLite file: the newest verified bundle, what was applied, and the outbox of
/// status reports. A bundle is stored together with its "received" report in one transaction,
/// before anything is applied, so a crash at any point loses neither.
public struct AgentStore: Sendable {
    /// WAL mode: `flotilla agent inspect` reads while the agent writes, never waiting on it.
    let db: DatabasePool
    public let path: String
    /// Identifies this database's numbering of reports; a new file starts a new epoch, and so
    /// does a file restored from an older copy (see ``acknowledge(_:)``).
    public var epoch: String {
        (try? db.read { db in try Self.currentEpoch(db) }) ?? ""
    }
    public let spoke: String

    /// Opens (creating if needed) the state file of `spoke`.
    /// - Throws: `StoreError.wrongSpoke` if the file belongs to another spoke; GRDB's
    ///   `DatabaseError` if SQLite cannot open or migrate it.
    public init(path: String, spoke: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(5)
        try StateFile.prepare(path)
        db = try DatabasePool(path: path, configuration: config)
        self.path = path
        self.spoke = spoke
        try Self.migrator.migrate(db)
        let (storedSpoke, _) = try db.write { db -> (String, String) in
            if let s = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'spoke'"),
                let e = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'epoch'")
            {
                return (s, e)
            }
            let e = UUID().uuidString.lowercased()
            try db.execute(sql: "INSERT INTO meta(key, value) VALUES ('spoke', ?), ('epoch', ?)", arguments: [spoke, e])
            return (spoke, e)
        }
        guard storedSpoke == spoke else { throw StoreError.wrongSpoke(path: path, stored: storedSpoke, requested: spoke) }
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    CREATE TABLE bundle (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        generation INTEGER NOT NULL, hash TEXT NOT NULL, envelope BLOB NOT NULL, receivedAt REAL NOT NULL);
                    CREATE TABLE applied (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        generation INTEGER NOT NULL, hash TEXT NOT NULL, ok INTEGER NOT NULL,
                        message TEXT, appliedAt REAL NOT NULL);
                    CREATE TABLE outbox (
                        seq INTEGER PRIMARY KEY, body BLOB NOT NULL, createdAt REAL NOT NULL);
                    CREATE TABLE counter (id INTEGER PRIMARY KEY CHECK (id = 1), lastSeq INTEGER NOT NULL, ackedSeq INTEGER NOT NULL);
                    INSERT INTO counter (id, lastSeq, ackedSeq) VALUES (1, 0, 0);
                    """)
        }
        m.registerMigration("v2") { db in
            // Which key signed the stored bundle: shown by inspect, checked against the trusted keys.
            try db.execute(sql: "ALTER TABLE bundle ADD COLUMN keyId TEXT")
        }
        return m
    }

    /// What happened to an offered bundle.
    public enum Offer: Sendable, Equatable {
        /// Newer than anything stored: stored with its "received" report; apply it next.
        case stored
        /// Same content as the stored bundle: nothing to do.
        case unchanged
        /// Older generation than the stored one: a replay or a stale retained message.
        case stale(stored: Int64)
        /// Same content under a higher generation (a hub re-issuing after losing its database):
        /// recorded, and reported as applied if it was, without applying again.
        case renumbered
    }

    /// Stores a verified bundle envelope and its "received" report in one transaction, unless it
    /// is older than or identical to the stored one.
    public func offer(envelope: [UInt8], header: Envelope.Header) async throws -> Offer {
        try await db.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT generation, hash FROM bundle WHERE id = 1") {
                let gen: Int64 = row["generation"]
                let hash: String = row["hash"]
                if hash == header.hash && header.generation == gen { return .unchanged }
                if header.generation < gen || (header.generation == gen && hash != header.hash) { return .stale(stored: gen) }
                if hash == header.hash {
                    try db.execute(
                        sql: "UPDATE bundle SET generation = ?, envelope = ?, keyId = ? WHERE id = 1",
                        arguments: [header.generation, Data(envelope), header.keyId])
                    let applied = try Row.fetchOne(db, sql: "SELECT hash, ok FROM applied WHERE id = 1")
                    if let applied, (applied["hash"] as String) == header.hash, (applied["ok"] as Int64) != 0 {
                        try db.execute(sql: "UPDATE applied SET generation = ? WHERE id = 1", arguments: [header.generation])
                        try Self.enqueue(db, epoch: try Self.currentEpoch(db), kind: .applied, generation: header.generation, hash: header.hash)
                        return .renumbered
                    }
                    try Self.enqueue(db, epoch: try Self.currentEpoch(db), kind: .received, generation: header.generation, hash: header.hash)
                    return .stored
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO bundle (id, generation, hash, envelope, receivedAt, keyId) VALUES (1, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET generation = excluded.generation, hash = excluded.hash,
                        envelope = excluded.envelope, receivedAt = excluded.receivedAt, keyId = excluded.keyId
                    """, arguments: [header.generation, header.hash, Data(envelope), Date().timeIntervalSince1970, header.keyId])
            try Self.enqueue(db, epoch: try Self.currentEpoch(db), kind: .received, generation: header.generation, hash: header.hash)
            return .stored
        }
    }

    /// The stored bundle envelope, if any (applied at boot when no broker is reachable).
    public func storedEnvelope() async throws -> [UInt8]? {
        try await db.read { db in
            try Data.fetchOne(db, sql: "SELECT envelope FROM bundle WHERE id = 1").map { Array($0) }
        }
    }

    /// Records an apply outcome and its report in one transaction.
    public func recordApply(generation: Int64, hash: String, ok: Bool, message: String?, objects: [ObjectStatus]) async throws {
        try await db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO applied (id, generation, hash, ok, message, appliedAt) VALUES (1, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET generation = excluded.generation, hash = excluded.hash, ok = excluded.ok,
                        message = excluded.message, appliedAt = excluded.appliedAt
                    """, arguments: [generation, hash, ok, message, Date().timeIntervalSince1970])
            try Self.enqueue(
                db, epoch: try Self.currentEpoch(db), kind: ok ? .applied : .failed, generation: generation, hash: hash, message: message,
                objects: objects)
        }
    }

    /// Adds a report to the outbox; it is kept until the hub's ack covers its sequence number.
    @discardableResult
    public func report(
        _ kind: StatusReport.Kind, generation: Int64? = nil, hash: String? = nil, message: String? = nil,
        storedGeneration: Int64? = nil
    ) async throws -> Int64 {
        try await db.write { db in
            try Self.enqueue(
                db, epoch: try Self.currentEpoch(db), kind: kind, generation: generation, hash: hash, message: message,
                storedGeneration: storedGeneration)
        }
    }

    @discardableResult
    static func enqueue(
        _ db: Database, epoch: String, kind: StatusReport.Kind, generation: Int64? = nil, hash: String? = nil,
        message: String? = nil, objects: [ObjectStatus]? = nil, storedGeneration: Int64? = nil
    ) throws -> Int64 {
        try db.execute(sql: "UPDATE counter SET lastSeq = lastSeq + 1 WHERE id = 1")
        let seq = try Int64.fetchOne(db, sql: "SELECT lastSeq FROM counter WHERE id = 1") ?? 0
        let report = StatusReport(
            seq: seq, epoch: epoch, kind: kind, generation: generation, hash: hash, message: message, objects: objects,
            time: Date().timeIntervalSince1970, storedGeneration: storedGeneration
        ).fitted(maxBytes: StatusReport.agentMaxBytes)
        try db.execute(
            sql: "INSERT INTO outbox (seq, body, createdAt) VALUES (?, ?, ?)",
            arguments: [seq, Data(report.encoded()), report.time])
        return seq
    }

    /// Reports not yet covered by the hub's ack, oldest first.
    public func pending(after seq: Int64 = 0, limit: Int) async throws -> [(seq: Int64, body: [UInt8])] {
        try await db.read { db in
            try Row.fetchAll(
                db, sql: "SELECT seq, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit]
            ).map { ($0["seq"], Array($0["body"] as Data)) }
        }
    }

    /// Applies the hub's watermark: deletes every report it covers. Ignores acks of another epoch.
    ///
    /// The file starts a new epoch and renumbers everything pending, deleting nothing, when the
    /// ack shows that the hub holds a history this file did not write (it was restored from an
    /// older copy, so its new reports reuse numbers the hub already stored):
    /// - the hub saw a report collide with a stored one (`newEpoch`);
    /// - the ack is above the last sequence number this file ever wrote;
    /// - the hub's digest of the report at the ack's sequence differs from this file's report.
    /// What an ack did to the outbox.
    public enum AckOutcome: Sendable, Equatable {
        /// Of another epoch: nothing to do.
        case ignored
        /// The reports up to the ack's sequence number were deleted (how many).
        case deleted(Int)
        /// The hub holds another history: everything pending now numbers under `epoch`.
        case renumbered(epoch: String)
    }

    @discardableResult
    public func acknowledge(_ ack: Ack) async throws -> AckOutcome {
        try await db.write { db in
            guard ack.epoch == (try Self.currentEpoch(db)) else { return .ignored }
            let lastSeq = try Int64.fetchOne(db, sql: "SELECT lastSeq FROM counter WHERE id = 1") ?? 0
            var foreign = ack.newEpoch == true || ack.seq > lastSeq
            if !foreign, let hash = ack.hash,
                let body = try Data.fetchOne(db, sql: "SELECT body FROM outbox WHERE seq = ?", arguments: [ack.seq])
            {
                foreign = StatusReport.digest(of: Array(body)) != hash
            }
            guard !foreign else { return .renumbered(epoch: try Self.startNewEpoch(db)) }
            try db.execute(sql: "DELETE FROM outbox WHERE seq <= ?", arguments: [ack.seq])
            let n = db.changesCount
            try db.execute(sql: "UPDATE counter SET ackedSeq = max(ackedSeq, ?) WHERE id = 1", arguments: [ack.seq])
            return .deleted(n)
        }
    }

    static func currentEpoch(_ db: Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'epoch'") ?? ""
    }

    /// - Returns: the new epoch.
    @discardableResult
    static func startNewEpoch(_ db: Database) throws -> String {
        let epoch = UUID().uuidString.lowercased()
        try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'epoch'", arguments: [epoch])
        let rows = try Row.fetchAll(db, sql: "SELECT seq, body, createdAt FROM outbox ORDER BY seq")
        try db.execute(sql: "DELETE FROM outbox")
        for (i, row) in rows.enumerated() {
            let seq = Int64(i + 1)
            guard var report = StatusReport.decode(Array(row["body"] as Data)) else { continue }
            report.seq = seq
            report.epoch = epoch
            try db.execute(
                sql: "INSERT INTO outbox (seq, body, createdAt) VALUES (?, ?, ?)",
                arguments: [seq, Data(report.encoded()), row["createdAt"] as Double])
        }
        try db.execute(sql: "UPDATE counter SET lastSeq = ?, ackedSeq = 0 WHERE id = 1", arguments: [Int64(rows.count)])
        return epoch
    }

    /// A summary for `flotilla agent inspect` and for presence.
    public func inspect() async throws -> AgentInspection {
        try await Self.inspect(db, spoke: spoke)
    }

    static func inspect(_ reader: some DatabaseReader, spoke: String) async throws -> AgentInspection {
        try await reader.read { db in
            let counter = try Row.fetchOne(db, sql: "SELECT lastSeq, ackedSeq FROM counter WHERE id = 1")
            let bundle = try Row.fetchOne(db, sql: "SELECT generation, hash, keyId FROM bundle WHERE id = 1")
            let trusted = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'trustedKeys'")
            let applied = try Row.fetchOne(db, sql: "SELECT generation, hash, ok, message FROM applied WHERE id = 1")
            let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0
            return AgentInspection(
                spoke: spoke, epoch: try Self.currentEpoch(db), storedGeneration: bundle?["generation"], storedHash: bundle?["hash"],
                appliedGeneration: applied?["generation"], appliedHash: applied?["hash"],
                lastApplyOK: applied.map { ($0["ok"] as Int64) != 0 }, lastApplyMessage: applied?["message"],
                lastSequence: counter?["lastSeq"] ?? 0, ackedSequence: counter?["ackedSeq"] ?? 0, outboxPending: pending,
                storedKeyId: bundle?["keyId"], trustedKeyIds: trusted.map { $0.split(separator: ",").map(String.init) })
        }
    }
}

/// What `flotilla agent inspect -o json` prints.
public struct AgentInspection: Sendable, Codable, Equatable {
    public var spoke: String
    public var epoch: String
    public var storedGeneration: Int64?
    public var storedHash: String?
    public var appliedGeneration: Int64?
    public var appliedHash: String?
    public var lastApplyOK: Bool?
    public var lastApplyMessage: String?
    public var lastSequence: Int64
    public var ackedSequence: Int64
    public var outboxPending: Int
    /// The key that signed the stored bundle (empty: unsigned).
    public var storedKeyId: String?
    /// The keys the agent trusted when it last started (`nil` before its first start).
    public var trustedKeyIds: [String]?
}

extension AgentStore {
    /// Records the keys the running agent trusts, for `flotilla agent inspect`.
    public func recordTrustedKeys(_ keyIds: [String]) async throws {
        try await db.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('trustedKeys', ?)", arguments: [keyIds.joined(separator: ",")])
        }
    }

    /// Copies the state file, consistent as of one moment, while the agent keeps writing.
    public func backup(to path: String) throws {
        let target = try DatabaseQueue(path: path)
        try db.backup(to: target)
    }

    /// Reads a state file without writing to it and without waiting on a running agent (WAL
    /// readers never block on the writer; a busy timeout covers a checkpoint in progress).
    public static func inspect(path: String) async throws -> AgentInspection {
        var config = Configuration()
        config.busyMode = .timeout(10)
        let db = try DatabaseQueue(path: path, configuration: config)
        let spoke = try await db.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'spoke'") } ?? ""
        return try await inspect(db, spoke: spoke)
    }
}
