import FlotillaModel
import FlotillaWire
import Foundation
import GRDB

/// Recovery from a hub that lost its database (disk replaced, state file deleted, restored from
/// an old backup): agents know more than the hub does, and tell it. Their word is unchecked, so
/// it is taken only inside a recovery window, which opens when the hub creates a new state file
/// and when the operator starts it with `--recover`.
extension HubStore {
    /// Whether this state file was created by this process (no earlier hub wrote to it).
    public func takeNewFileMark() async throws -> Bool {
        try await db.write { db in
            let mark = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'newFile'")
            try db.execute(sql: "UPDATE meta SET value = '0' WHERE key = 'newFile'")
            return mark == "1"
        }
    }

    /// Opens the recovery window until `until` (seconds since 1970).
    public func openRecoveryWindow(until: Double) async throws {
        try await db.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES ('recoveryUntil', ?)", arguments: [String(until)])
        }
    }

    /// When the recovery window closes (seconds since 1970); 0 when it was never open.
    public func recoveryUntil() async throws -> Double {
        try await db.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'recoveryUntil'").flatMap(Double.init) ?? 0
        }
    }

    /// Starts a spoke's watermark at what a hub already acknowledged: the agent deletes outbox
    /// rows only after an ack, so the rows below `acked` are gone for good and a watermark
    /// waiting for them would never move again. The evidence is either a retained ack on the
    /// broker (always taken) or the agent's presence (taken inside the recovery window).
    /// An epoch other than the spoke's current one only raises that epoch's own watermark.
    /// - Returns: the ack to publish when the current epoch's watermark moved.
    public func raiseWatermark(spoke: String, epoch: String, acked: Int64) async throws -> Ack? {
        guard acked >= 1, acked <= WireLimits.maxCounter else { return nil }
        return try await db.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT epoch, lastSeq FROM spoke WHERE name = ?", arguments: [spoke]) else { return nil }
            let currentEpoch: String? = row["epoch"]
            let known = try Int64.fetchOne(db, sql: "SELECT ackedSeq FROM epoch WHERE spoke = ? AND epoch = ?", arguments: [spoke, epoch]) ?? 0
            guard acked > known else { return nil }
            try Self.setWatermark(db, spoke: spoke, epoch: epoch, acked: acked)
            guard currentEpoch == nil || currentEpoch == epoch else { return nil }
            let lastSeq: Int64 = currentEpoch == epoch ? max(row["lastSeq"] ?? 0, acked) : acked
            try db.execute(sql: "UPDATE spoke SET epoch = ?, lastSeq = ? WHERE name = ?", arguments: [epoch, lastSeq, spoke])
            return try Self.advanceWatermark(db, spoke: spoke, epoch: epoch)
        }
    }

    /// The generation and envelope currently published for a spoke in the inventory.
    public func currentPublication(spoke: String) async throws -> Publication? {
        try await db.read { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT generation, envelope FROM spoke WHERE name = ? AND inInventory = 1", arguments: [spoke]),
                let data = row["envelope"] as Data?
            else { return nil }
            return Publication(spoke: spoke, generation: row["generation"], envelope: Array(data))
        }
    }

    /// Replaces a spoke's published envelope by the same content under a higher generation
    /// (re-issued above what an agent holds), only if its generation is still `current`: a
    /// reload that committed meanwhile wins.
    /// - Returns: whether the envelope was replaced.
    public func reissue(spoke: String, from current: Int64, to next: Int64, envelope: [UInt8], keyId: String = "") async throws -> Bool {
        guard next > current, next <= WireLimits.maxCounter else { return false }
        return try await db.write { db in
            try db.execute(
                sql: "UPDATE spoke SET generation = ?, envelope = ?, keyId = ? WHERE name = ? AND generation = ? AND inInventory = 1",
                arguments: [next, Data(envelope), keyId, spoke, current])
            return db.changesCount == 1
        }
    }

    /// The newest generation this hub published for a spoke (0 when none).
    public func generation(of spoke: String) async throws -> Int64 {
        try await db.read { db in try Int64.fetchOne(db, sql: "SELECT generation FROM spoke WHERE name = ?", arguments: [spoke]) ?? 0 }
    }
}
