/// Computes every spoke's bundle from a ``FleetSource``. Pure: no I/O, same input, same bytes.
public enum Planner {
    /// The full plan of `fleet`: placements, payloads and hashes for every spoke, sorted by name.
    /// A spoke whose templates fail gets `payload == nil` and its failures; the others are unaffected.
    public static func plan(_ fleet: FleetSource) -> Plan {
        var planner = IncrementalPlanner()
        return planner.update(fleet).plan
    }
}
