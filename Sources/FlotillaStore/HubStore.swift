import FlotillaModel
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
        return m
    }

    /// What to publish for one spoke after ``record(plan:)``.
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

    /// Records planned bundles. For each spoke whose hash differs from the last one, the
    /// generation grows by one and `makeEnvelope(spoke, generation)` builds what to publish;
    /// generation and envelope are stored together, before anything is published.
    /// - Returns: the publications for the spokes that changed.
    public func record(
        _ entries: [PlanEntry], makeEnvelope: @Sendable (String, Int64) throws -> [UInt8]
    ) async throws -> [Publication] {
        let publications = try await changed(entries).map { e, generation in
            Publication(spoke: e.spoke, generation: generation, envelope: try makeEnvelope(e.spoke, generation))
        }
        try await commit(publications, entries: entries)
        return publications
    }

    /// The entries whose bundle differs from the recorded one (or whose spoke re-joins the
    /// inventory), each with the generation it will get: what a new plan must build and publish.
    public func changed(_ entries: [PlanEntry]) async throws -> [(entry: PlanEntry, generation: Int64)] {
        let current = try await db.read { db in
            var out: [String: (generation: Int64, hash: String?, inInventory: Bool)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, generation, hash, inInventory FROM spoke") {
                out[row["name"]] = (row["generation"], row["hash"], (row["inInventory"] as Int64) != 0)
            }
            return out
        }
        return entries.compactMap { e in
            let old = current[e.spoke]
            if let old, old.hash == e.hash, old.inInventory { return nil }
            return (e, (old?.generation ?? 0) + 1)
        }
    }

    /// Stores envelopes built beforehand (see ``changed(_:)``) in one transaction. Each
    /// publication must carry exactly the next generation of its spoke; the hub is the only
    /// writer, so this holds unless two hubs share a state file, which this refuses.
    public func commit(_ publications: [Publication], entries: [PlanEntry]) async throws {
        let byName = Dictionary(entries.map { ($0.spoke, $0) }, uniquingKeysWith: { a, _ in a })
        try await db.write { db in
            // Thousands of rows per plan: compile each statement once.
            let select = try db.cachedStatement(sql: "SELECT generation FROM spoke WHERE name = ?")
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO spoke (name, generation, hash, envelope, inInventory, objects, planError) VALUES (?, ?, ?, ?, 1, ?, NULL)
                    ON CONFLICT(name) DO UPDATE SET generation = excluded.generation, hash = excluded.hash,
                        envelope = excluded.envelope, inInventory = 1, objects = excluded.objects, planError = NULL
                    """)
            for p in publications {
                let old = try Int64.fetchOne(select, arguments: [p.spoke]) ?? 0
                guard p.generation == old + 1 else { throw StoreError.concurrentWriter(spoke: p.spoke) }
                let e = byName[p.spoke]
                let objectsJSON = String(decoding: Value.array((e?.objects ?? []).map(\.value)).canonicalJSON, as: UTF8.self)
                try upsert.execute(arguments: [p.spoke, p.generation, e?.hash, Data(p.envelope), objectsJSON])
            }
            let published = Set(publications.map(\.spoke))
            for e in entries where !published.contains(e.spoke) {
                try db.execute(sql: "UPDATE spoke SET planError = NULL WHERE name = ? AND planError IS NOT NULL", arguments: [e.spoke])
            }
        }
    }

    /// Records why a spoke could not be planned; it keeps its previous bundle.
    public func recordPlanError(spoke: String, error: String) async throws {
        try await db.write { db in
            try db.execute(
                sql: """
                    INSERT INTO spoke (name, planError) VALUES (?, ?)
                    ON CONFLICT(name) DO UPDATE SET planError = excluded.planError, inInventory = 1
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
                    sql: "UPDATE spoke SET inInventory = 0, envelope = NULL, hash = NULL, objects = NULL WHERE name = ?",
                    arguments: [name])
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

    /// Stores the reports of one spoke, each once, and advances its watermark, all in one
    /// transaction; only after it commits may the ack be published.
    /// - Returns: the acknowledgement to publish for the newest epoch seen.
    public func ingest(spoke: String, reports: [StatusReport]) async throws -> Ack? {
        guard !reports.isEmpty else { return nil }
        return try await db.write { db in
            let now = Date().timeIntervalSince1970
            try db.execute(sql: "INSERT OR IGNORE INTO spoke (name, inInventory) VALUES (?, 0)", arguments: [spoke])
            var newestEpoch: String?
            for r in reports {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO report (spoke, epoch, seq, kind, generation, body, receivedAt)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [spoke, r.epoch, r.seq, r.kind.rawValue, r.generation, Data(r.encoded()), now])
                if db.changesCount == 0 {
                    try db.execute(sql: "UPDATE spoke SET duplicates = duplicates + 1 WHERE name = ?", arguments: [spoke])
                    continue
                }
                try db.execute(
                    sql: "UPDATE spoke SET reportsStored = reportsStored + 1, lastSeen = ? WHERE name = ?", arguments: [now, spoke])
                try Self.applyEffects(db, spoke: spoke, report: r)
                newestEpoch = r.epoch
            }
            if let newestEpoch { return try Self.advanceWatermark(db, spoke: spoke, epoch: newestEpoch) }
            // Only duplicates: a late straggler of an old agent database must not switch the
            // spoke's epoch. Repeat the current ack (its retained copy may have been lost) when
            // the duplicates belong to the current epoch.
            let row = try Row.fetchOne(db, sql: "SELECT epoch, ackedSeq FROM spoke WHERE name = ?", arguments: [spoke])
            guard let epoch = row?["epoch"] as String?, reports.contains(where: { $0.epoch == epoch }) else { return nil }
            return Ack(epoch: epoch, seq: row?["ackedSeq"] ?? 0)
        }
    }

    static func applyEffects(_ db: Database, spoke: String, report r: StatusReport) throws {
        let row = try Row.fetchOne(db, sql: "SELECT epoch, lastSeq FROM spoke WHERE name = ?", arguments: [spoke])
        let sameEpoch = (row?["epoch"] as String?) == r.epoch
        let lastSeq: Int64 = sameEpoch ? (row?["lastSeq"] ?? 0) : 0
        // Effects follow the agent's order: a late duplicate of an old report changes nothing.
        guard r.seq > lastSeq else { return }
        if sameEpoch {
            try db.execute(sql: "UPDATE spoke SET lastSeq = ? WHERE name = ?", arguments: [r.seq, spoke])
        } else {
            // A new agent database numbers from 1 again; its watermark is recomputed from stored rows.
            try db.execute(
                sql: "UPDATE spoke SET epoch = ?, lastSeq = ?, ackedSeq = 0 WHERE name = ?", arguments: [r.epoch, r.seq, spoke])
        }
        switch r.kind {
        case .applied:
            let objects = r.objects.map { try? Value(encodable: $0).canonicalJSON }.flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) }
            try db.execute(
                sql: "UPDATE spoke SET appliedGeneration = ?, appliedHash = ?, phase = 'Applied', lastError = NULL, lastResult = ? WHERE name = ?",
                arguments: [r.generation, r.hash, objects, spoke])
        case .failed:
            let objects = r.objects.map { try? Value(encodable: $0).canonicalJSON }.flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) }
            try db.execute(
                sql: "UPDATE spoke SET phase = 'Failed', lastError = ?, lastResult = ? WHERE name = ?",
                arguments: [r.message, objects, spoke])
        case .refused:
            try db.execute(sql: "UPDATE spoke SET lastError = ? WHERE name = ?", arguments: [r.message, spoke])
        case .received:
            try db.execute(
                sql: "UPDATE spoke SET phase = 'Applying' WHERE name = ? AND (appliedGeneration IS NULL OR appliedGeneration < ?)",
                arguments: [spoke, r.generation])
        case .event:
            break
        }
    }

    static func advanceWatermark(_ db: Database, spoke: String, epoch: String) throws -> Ack {
        let row = try Row.fetchOne(db, sql: "SELECT epoch, ackedSeq FROM spoke WHERE name = ?", arguments: [spoke])
        var acked: Int64 = (row?["epoch"] as String?) == epoch ? (row?["ackedSeq"] ?? 0) : 0
        let later = try Int64.fetchAll(
            db, sql: "SELECT seq FROM report WHERE spoke = ? AND epoch = ? AND seq > ? ORDER BY seq",
            arguments: [spoke, epoch, acked])
        for seq in later {
            guard seq == acked + 1 else { break }
            acked = seq
        }
        try db.execute(sql: "UPDATE spoke SET epoch = ?, ackedSeq = ? WHERE name = ?", arguments: [epoch, acked, spoke])
        return Ack(epoch: epoch, seq: acked)
    }

    /// Records a presence message.
    public func recordPresence(spoke: String, presence: Presence) async throws {
        try await db.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO spoke (name, inInventory) VALUES (?, 0)", arguments: [spoke])
            try db.execute(
                sql: "UPDATE spoke SET online = ?, lastSeen = ?, presence = ? WHERE name = ?",
                arguments: [
                    presence.state == .online, Date().timeIntervalSince1970,
                    String(decoding: presence.encoded(), as: UTF8.self), spoke,
                ])
        }
    }

    /// Every spoke the hub knows, for `flotilla status`.
    public func spokes() async throws -> [SpokeRecord] {
        try await db.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM spoke ORDER BY name").map(SpokeRecord.init(row:))
        }
    }

    /// Every report stored for one spoke, oldest first; for audits and tests.
    public func reports(spoke: String) async throws -> [StatusReport] {
        try await db.read { db in
            try Data.fetchAll(db, sql: "SELECT body FROM report WHERE spoke = ? ORDER BY receivedAt, epoch, seq", arguments: [spoke])
                .compactMap { StatusReport.decode(Array($0)) }
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
    /// Stored and duplicate report counts of one spoke.
    public func spokeCounters(_ spoke: String) async throws -> (stored: Int64, duplicates: Int64) {
        try await db.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT reportsStored, duplicates FROM spoke WHERE name = ?", arguments: [spoke])
            return (row?["reportsStored"] ?? 0, row?["duplicates"] ?? 0)
        }
    }
}
