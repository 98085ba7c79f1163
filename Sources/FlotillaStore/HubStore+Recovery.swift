import FlotillaModel
import Foundation
import GRDB

/// Recovery from a hub that lost its database (disk replaced, state file deleted): agents
/// know more than the hub does, and tell it.
extension HubStore {
    /// Starts a spoke's watermark at what the agent says a hub already acknowledged: the agent
    /// deletes outbox rows only after an ack, so the rows below `acked` are gone for good and a
    /// watermark waiting for them would never move again.
    /// - Returns: the ack to publish when the watermark moved.
    public func raiseWatermark(spoke: String, epoch: String, acked: Int64) async throws -> Ack? {
        try await db.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO spoke (name, inInventory) VALUES (?, 0)", arguments: [spoke])
            let row = try Row.fetchOne(db, sql: "SELECT epoch, ackedSeq, lastSeq FROM spoke WHERE name = ?", arguments: [spoke])
            let sameEpoch = (row?["epoch"] as String?) == epoch
            let current: Int64 = sameEpoch ? (row?["ackedSeq"] ?? 0) : 0
            guard acked > current else { return nil }
            let lastSeq: Int64 = sameEpoch ? max(row?["lastSeq"] ?? 0, acked) : acked
            try db.execute(
                sql: "UPDATE spoke SET epoch = ?, ackedSeq = ?, lastSeq = ? WHERE name = ?",
                arguments: [epoch, acked, lastSeq, spoke])
            return try Self.advanceWatermark(db, spoke: spoke, epoch: epoch)
        }
    }

    /// Answers an agent that refused a bundle as older than the `generation` it holds.
    /// If the hub is behind (its database was lost), the current content is re-issued above the
    /// agent's generation. Otherwise the refused bundle was a replay: the current envelope is
    /// returned unchanged, to be published again over the replayed retained message.
    /// - Returns: what to publish, or `nil` when the spoke has no bundle.
    public func reassert(
        spoke: String, above generation: Int64, makeEnvelope: @Sendable (_ payload: [UInt8], _ generation: Int64) throws -> [UInt8]
    ) async throws -> Publication? {
        guard generation < Int64.max - 1 else { return nil }
        return try await db.write { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT generation, envelope FROM spoke WHERE name = ? AND inInventory = 1", arguments: [spoke]),
                let data = row["envelope"] as Data?
            else { return nil }
            let current: Int64 = row["generation"]
            if current >= generation { return Publication(spoke: spoke, generation: current, envelope: Array(data)) }
            let old = try Envelope.decode(Array(data), trustedKeys: [], maxBytes: Int.max)
            let next = generation + 1
            let envelope = try makeEnvelope(old.payload, next)
            try db.execute(
                sql: "UPDATE spoke SET generation = ?, envelope = ? WHERE name = ?", arguments: [next, Data(envelope), spoke])
            return Publication(spoke: spoke, generation: next, envelope: envelope)
        }
    }
}
