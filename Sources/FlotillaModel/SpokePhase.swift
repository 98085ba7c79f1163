/// Where a spoke stands with its desired bundle, as the hub sees it.
public enum SpokePhase: String, Sendable, Codable, Hashable, CaseIterable {
    /// Planned, nothing reported yet.
    case pending = "Pending"
    /// The agent stored a bundle newer than the one it last applied.
    case applying = "Applying"
    /// The agent applied the bundle it was last sent.
    case applied = "Applied"
    /// The agent's last apply failed.
    case failed = "Failed"
    /// The agent refused the bundle the hub wants it to run (signature, size, names…), or can
    /// no longer verify the one it holds: it is not correcting drift.
    case refused = "Refused"
    /// The agent's presence says offline (it keeps running its last bundle).
    case offline = "Offline"
    /// The spoke left the inventory; shown for a grace period, then no more.
    case retired = "Retired"
}
