/// One simulated spoke's outbox: the reports it wrote and the hub has not acknowledged yet, in
/// sequence order with no gap, each kept as the exact bytes first encoded (every resend is
/// byte-for-byte the same, as the protocol requires).
///
/// In memory, unlike the agent's SQLite outbox, on purpose: the simulator models the wire and
/// the load on the hub and the broker, not the spokes' disks. A SQLite file per spoke at 100,000
/// spokes would measure the disk. The price: a simulator restart loses the outboxes, so the
/// restarted spokes begin new epochs (as an agent with a new state file would).
struct SimOutbox {
    struct Entry {
        var seq: Int64
        var body: [UInt8]
        /// Published at least once: a later publish is a resend.
        var sent = false
    }

    private(set) var entries: [Entry] = []

    var count: Int { entries.count }

    mutating func append(seq: Int64, body: [UInt8]) {
        entries.append(Entry(seq: seq, body: body))
    }

    /// The body of the report numbered `seq`, if still held.
    func body(at seq: Int64) -> [UInt8]? {
        guard let first = entries.first?.seq, seq >= first, seq - first < Int64(entries.count) else { return nil }
        return entries[Int(seq - first)].body
    }

    /// Index of the first report numbered above `seq`.
    func firstIndex(after seq: Int64) -> Int {
        guard let first = entries.first?.seq else { return 0 }
        return Int(min(max(seq - first + 1, 0), Int64(entries.count)))
    }

    mutating func markSent(at index: Int) -> Bool {
        defer { entries[index].sent = true }
        return entries[index].sent
    }

    /// Deletes every report numbered `seq` or less; returns how many.
    mutating func removeThrough(_ seq: Int64) -> Int {
        let n = firstIndex(after: seq)
        entries.removeFirst(n)
        return n
    }

    /// Gives every report the numbers 1…n under `epoch`, in order, re-encoding it: new keys,
    /// new bytes, never sent.
    mutating func renumber(epoch: String, encode: (Int64, [UInt8]) -> [UInt8]) {
        for i in entries.indices {
            let seq = Int64(i + 1)
            entries[i] = Entry(seq: seq, body: encode(seq, entries[i].body))
        }
    }
}
