import FlotillaWire
import Foundation

/// What one simulated spoke knows, guarded by its ``SimulatedSpoke``'s lock. Small on purpose
/// (a few hundred bytes with an empty outbox, the content hash the largest part): 100,000 of them
/// must fit beside their connections, which cost far more (libmosquitto's handle, two streams,
/// the two tasks reading them: about 9 KB of resident memory per spoke in all, measured).
struct SpokeState {
    /// The numbering of reports: a new one per spoke per process, and on the hub's word.
    var epoch = UUID()
    /// Highest sequence number written in this epoch.
    var lastSeq: Int64 = 0
    /// The hub's watermark: every report up to it was deleted.
    var acked: Int64 = 0
    /// Highest sequence number handed to the broker on the current connection.
    var sentThrough: Int64 = 0
    var outbox = SimOutbox()
    /// The stored bundle (0: none), and its content hash.
    var storedGeneration: Int64 = 0
    var storedHash: String?
    /// The generation running now (0: none). The null applier never fails, so after an apply
    /// it equals the stored one.
    var appliedGeneration: Int64 = 0
    /// The message of the last refusal reported: the same one is not reported twice in a row.
    var lastRefusal: String?
    var connected = false
    /// The hub cleared `desired`: this spoke left the inventory and stops announcing itself.
    var retired = false
    /// The start event was written (at the first connect).
    var announcedStart = false
    /// When the watermark last moved (or reports were last sent from it).
    var lastProgress = ContinuousClock.now

    var epochText: String { epoch.uuidString.lowercased() }

    /// Writes a report to the outbox under the next sequence number, encoded once for good.
    mutating func write(
        _ kind: StatusReport.Kind, generation: Int64? = nil, hash: String? = nil, message: String? = nil,
        objects: [ObjectStatus]? = nil, storedGeneration: Int64? = nil
    ) {
        lastSeq += 1
        let report = StatusReport(
            seq: lastSeq, epoch: epochText, kind: kind, generation: generation, hash: hash, message: message, objects: objects,
            time: Date().timeIntervalSince1970, storedGeneration: storedGeneration
        ).fitted(maxBytes: StatusReport.agentMaxBytes)
        outbox.append(seq: lastSeq, body: report.encoded())
    }

    /// Starts a new epoch and renumbers every pending report from 1, deleting none.
    mutating func startNewEpoch() {
        epoch = UUID()
        let text = epochText
        outbox.renumber(epoch: text) { seq, body in
            guard var report = StatusReport.decode(body) else { return body }
            report.seq = seq
            report.epoch = text
            return report.encoded()
        }
        lastSeq = Int64(outbox.count)
        acked = 0
        sentThrough = 0
        lastProgress = .now
    }

    /// Online presence with the facts a hub needs, as the agent publishes it.
    func presence() -> Presence {
        Presence(
            state: .online, agentVersion: FleetSimulator.agentVersion, applier: FleetSimulator.applierName,
            appliedGeneration: appliedGeneration > 0 ? appliedGeneration : nil, time: Date().timeIntervalSince1970,
            epoch: epochText, ackedSequence: acked)
    }
}
