import FlotillaModel
import FlotillaWire
import Foundation
import GRDB

/// The hub's SQLite file: per-spoke generations and published envelopes, presence, and every
/// status report stored once under `(spoke, epoch, seq)`.
public struct HubStore: Sendable {
    let db: DatabasePool
    public let path: String

    /// Opens (creating if needed) the hub's state file in WAL mode.
    public init(path: String) throws {
        var config = Configuration()
        config.busyMode = .timeout(5)
        try StateFile.prepare(path)
        db = try DatabasePool(path: path, configuration: config)
        self.path = path
        try Self.migrator.migrate(db)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE spoke (
                        name TEXT PRIMARY KEY,
                        generation INTEGER NOT NULL DEFAULT 0,
                        hash TEXT,
                        envelope BLOB,
                        inInventory INTEGER NOT NULL DEFAULT 1,
                        objects TEXT,
                        planError TEXT,
                        online INTEGER NOT NULL DEFAULT 0,
                        lastSeen REAL,
                        presence TEXT,
                        epoch TEXT,
                        ackedSeq INTEGER NOT NULL DEFAULT 0,
                        lastSeq INTEGER NOT NULL DEFAULT 0,
                        reportsStored INTEGER NOT NULL DEFAULT 0,
                        duplicates INTEGER NOT NULL DEFAULT 0,
                        appliedGeneration INTEGER,
                        appliedHash TEXT,
                        phase TEXT NOT NULL DEFAULT 'Pending',
                        lastError TEXT,
                        lastResult TEXT);
                    CREATE TABLE report (
                        spoke TEXT NOT NULL, epoch TEXT NOT NULL, seq INTEGER NOT NULL,
                        kind TEXT NOT NULL, generation INTEGER, body BLOB NOT NULL, receivedAt REAL NOT NULL,
                        PRIMARY KEY (spoke, epoch, seq)) WITHOUT ROWID;
                    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                    """)
        }
        m.registerMigration("v2") { db in
            // digest: a key stored with other content is a collision, not a duplicate.
            // epoch: each epoch's watermark, kept after its reports are pruned, so duplicates
            // of pruned reports are still recognised.
            try db.execute(
                sql: """
                    ALTER TABLE report ADD COLUMN digest TEXT;
                    CREATE INDEX report_by_age ON report (spoke, receivedAt);
                    CREATE TABLE epoch (
                        spoke TEXT NOT NULL, epoch TEXT NOT NULL, ackedSeq INTEGER NOT NULL, seenAt REAL NOT NULL DEFAULT 0,
                        PRIMARY KEY (spoke, epoch)) WITHOUT ROWID;
                    INSERT INTO epoch (spoke, epoch, ackedSeq) SELECT name, epoch, ackedSeq FROM spoke WHERE epoch IS NOT NULL;
                    ALTER TABLE spoke ADD COLUMN collisions INTEGER NOT NULL DEFAULT 0;
                    """)
            // A file that already held spokes is an upgrade, not a new database: no recovery window.
            let upgraded = try Int.fetchOne(db, sql: "SELECT count(*) FROM spoke") ?? 0 > 0
            try db.execute(
                sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('createdAt', ?), ('newFile', ?)",
                arguments: [String(Date().timeIntervalSince1970), upgraded ? "0" : "1"])
        }
        m.registerMigration("v3") { db in
            // keyId: which key signed the published envelope, so a new key re-signs them all.
            // retiredAt: when the spoke left the inventory; status hides it after a grace period.
            try db.execute(
                sql: """
                    ALTER TABLE spoke ADD COLUMN keyId TEXT;
                    ALTER TABLE spoke ADD COLUMN retiredAt REAL;
                    """)
        }
        return m
    }

    /// What to publish for one spoke: its generation and envelope.
    public struct Publication: Sendable, Equatable {
        public var spoke: String
        public var generation: Int64
        public var envelope: [UInt8]

        public init(spoke: String, generation: Int64, envelope: [UInt8]) {
            self.spoke = spoke
            self.generation = generation
            self.envelope = envelope
        }
    }

    /// One spoke's freshly planned bundle.
    public struct PlanEntry: Sendable {
        public var spoke: String
        public var hash: String
        public var objects: [ObjectRef]

        public init(spoke: String, hash: String, objects: [ObjectRef]) {
            self.spoke = spoke
            self.hash = hash
            self.objects = objects
        }
    }

    /// The entries whose bundle differs from the recorded one (or whose spoke re-joins the
    /// inventory), each with the generation it will get: what a new plan must build and publish.
    public func changed(_ entries: [PlanEntry], keyId: String = "") async throws -> [(entry: PlanEntry, generation: Int64)] {
        let names = entries.map(\.spoke)
        let current = try await db.read { db in
            var out: [String: (generation: Int64, hash: String?, inInventory: Bool, keyId: String?)] = [:]
            func add(_ row: Row) { out[row["name"]] = (row["generation"], row["hash"], (row["inInventory"] as Int64) != 0, row["keyId"]) }
            // A small change looks its spokes up; a large one reads the table once.
            if names.count < 256 {
                let one = try db.cachedStatement(sql: "SELECT name, generation, hash, inInventory, keyId FROM spoke WHERE name = ?")
                for name in names { try Row.fetchOne(one, arguments: [name]).map(add) }
            } else {
                for row in try Row.fetchAll(db, sql: "SELECT name, generation, hash, inInventory, keyId FROM spoke") { add(row) }
            }
            return out
        }
        return entries.compactMap { e in
            let old = current[e.spoke]
            // Unchanged content signed by the current key: nothing to do. A bundle signed by
            // another key is re-signed under the next generation, so that once every spoke has
            // it, agents can drop the old key.
            if let old, old.hash == e.hash, old.inInventory, (old.keyId ?? "") == keyId { return nil }
            // Generations stop at the protocol's limit: such a spoke keeps its bundle rather
            // than trap the hub (2^53 changes are not reached by honest use).
            let (next, overflow) = (old?.generation ?? 0).addingReportingOverflow(1)
            guard !overflow, next <= WireLimits.maxCounter else { return nil }
            return (e, next)
        }
    }

    /// Stores envelopes built beforehand (see ``changed(_:)``) in one transaction. Each
    /// publication must carry exactly the next generation of its spoke; the hub is the only
    /// writer, so this holds unless two hubs share a state file, which this refuses.
    public func commit(_ publications: [Publication], entries: [PlanEntry], keyId: String = "") async throws {
        let byName = Dictionary(entries.map { ($0.spoke, $0) }, uniquingKeysWith: { a, _ in a })
        try await db.write { db in
            // Thousands of rows per plan: compile each statement once.
            let select = try db.cachedStatement(sql: "SELECT generation FROM spoke WHERE name = ?")
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO spoke (name, generation, hash, envelope, inInventory, objects, planError, keyId, retiredAt)
                    VALUES (?, ?, ?, ?, 1, ?, NULL, ?, NULL)
                    ON CONFLICT(name) DO UPDATE SET generation = excluded.generation, hash = excluded.hash,
                        envelope = excluded.envelope, inInventory = 1, objects = excluded.objects, planError = NULL,
                        keyId = excluded.keyId, retiredAt = NULL
                    """)
            for p in publications {
                let old = try Int64.fetchOne(select, arguments: [p.spoke]) ?? 0
                guard p.generation == old + 1 else { throw StoreError.concurrentWriter(spoke: p.spoke) }
                let e = byName[p.spoke]
                let objectsJSON = String(decoding: ObjectRef.canonicalJSON(e?.objects ?? []), as: UTF8.self)
                try upsert.execute(arguments: [p.spoke, p.generation, e?.hash, Data(p.envelope), objectsJSON, keyId])
            }
            let published = Set(publications.map(\.spoke))
            for e in entries where !published.contains(e.spoke) {
                try db.cachedStatement(sql: "UPDATE spoke SET planError = NULL WHERE name = ? AND planError IS NOT NULL").execute(arguments: [e.spoke])
            }
        }
    }

    /// Records why a spoke could not be planned; it keeps its previous bundle.
    public func recordPlanError(spoke: String, error: String) async throws {
        try await db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO spoke (name, planError) VALUES (?, ?)
                    ON CONFLICT(name) DO UPDATE SET planError = excluded.planError, inInventory = 1, retiredAt = NULL
                    """, arguments: [spoke, error])
        }
    }

    /// Marks spokes no longer in the inventory; their envelopes are dropped (the hub clears
    /// their retained bundle). Generations are kept so a returning spoke keeps growing.
    /// - Returns: the names that were just removed.
    public func retire(keeping names: Set<String>) async throws -> [String] {
        try await db.write { db in
            let current = try String.fetchAll(db, sql: "SELECT name FROM spoke WHERE inInventory = 1")
            let gone = current.filter { !names.contains($0) }
            for name in gone {
                try db.execute(
                    sql: "UPDATE spoke SET inInventory = 0, envelope = NULL, hash = NULL, objects = NULL, keyId = NULL, retiredAt = ? WHERE name = ?",
                    arguments: [Date().timeIntervalSince1970, name])
            }
            return gone
        }
    }

    /// The envelopes of every spoke in the inventory: republished when the broker lost them.
    public func publications() async throws -> [Publication] {
        try await db.read { db in
            try Row.fetchAll(db, sql: "SELECT name, generation, envelope FROM spoke WHERE inInventory = 1 AND envelope IS NOT NULL")
                .map { Publication(spoke: $0["name"], generation: $0["generation"], envelope: Array($0["envelope"] as Data)) }
        }
    }

    /// Records a presence message of a spoke the hub knows.
    public func recordPresence(spoke: String, presence: Presence) async throws {
        try await recordPresence([(spoke, presence)])
    }

    /// Records many spokes' presence messages in one transaction (a reconnecting fleet sends
    /// thousands at once), in order: the last one of a spoke wins.
    public func recordPresence(_ batch: [(spoke: String, presence: Presence)]) async throws {
        guard !batch.isEmpty else { return }
        try await db.write { db in
            // Only spokes the hub planned have a row; presence never creates one.
            let update = try db.cachedStatement(sql: "UPDATE spoke SET online = ?, lastSeen = ?, presence = ? WHERE name = ?")
            let now = Date().timeIntervalSince1970
            for (spoke, presence) in batch {
                try update.execute(arguments: [
                    presence.state == .online, now, String(decoding: presence.encoded(), as: UTF8.self), spoke,
                ])
            }
        }
    }

    /// Spokes in the inventory, online, and converged (applied the published generation),
    /// counted by SQLite: the gauges need no spoke's row decoded.
    public func fleetCounts() async throws -> (spokes: Int, online: Int, converged: Int) {
        try await db.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*), coalesce(sum(online != 0), 0),
                        coalesce(sum(phase = 'Applied' AND appliedGeneration = generation), 0)
                    FROM spoke WHERE inInventory = 1
                    """)
            return (row?[0] ?? 0, row?[1] ?? 0, row?[2] ?? 0)
        }
    }

    /// Every spoke the hub knows, for `flotilla status`.
    public func spokes() async throws -> [SpokeRecord] {
        try await db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM spoke ORDER BY name").map(SpokeRecord.init(row:))
        }
    }

    /// The names of the spokes in the inventory the hub last planned.
    public func inventory() async throws -> Set<String> {
        try await db.read { db in Set(try String.fetchAll(db, sql: "SELECT name FROM spoke WHERE inInventory = 1")) }
    }

    /// Every report stored for one spoke, oldest first; for audits and tests.
    public func reports(spoke: String) async throws -> [StatusReport] {
        try await db.read { db in
            try Data.fetchAll(db, sql: "SELECT body FROM report WHERE spoke = ? ORDER BY receivedAt, epoch, seq", arguments: [spoke])
                .compactMap { StatusReport.decode(Array($0)) }
        }
    }

    /// The stored bytes of every report of one spoke, oldest first: what the agent sent.
    public func reportBodies(spoke: String) async throws -> [[UInt8]] {
        try await db.read { db in
            try Data.fetchAll(db, sql: "SELECT body FROM report WHERE spoke = ? ORDER BY receivedAt, epoch, seq", arguments: [spoke]).map { Array($0) }
        }
    }

    /// Total reports stored (distinct keys) for one spoke and epoch; for tests and audits.
    public func reportCount(spoke: String) async throws -> Int {
        try await db.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM report WHERE spoke = ?", arguments: [spoke]) ?? 0
        }
    }
}

extension ObjectRef {
    /// The identity as a JSON map, as stored and reported.
    public var value: Value {
        .object([
            "apiVersion": .string(apiVersion), "kind": .string(kind), "namespace": .string(namespace),
            "name": .string(name),
        ])
    }
}

extension HubStore {
    /// Copies the database, consistent as of one moment, while the hub keeps writing
    /// (SQLite's online backup).
    public func backup(to path: String) throws {
        let target = try DatabaseQueue(path: path)
        try db.backup(to: target)
    }

    /// Pages in use (total less free): what the file needs, whatever its size on disk.
    public func usedPages() async throws -> Int {
        try await db.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0) - (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
        }
    }

    /// Stored and duplicate report counts of one spoke.
    public func spokeCounters(_ spoke: String) async throws -> (stored: Int64, duplicates: Int64) {
        try await db.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT reportsStored, duplicates FROM spoke WHERE name = ?", arguments: [spoke])
            return (row?["reportsStored"] ?? 0, row?["duplicates"] ?? 0)
        }
    }
}
