/// Where a spoke stands with its desired bundle, as the hub sees it.
public enum SpokePhase: String, Sendable, Codable, Hashable, CaseIterable {
    /// Planned, nothing reported yet.
    case pending = "Pending"
    /// The agent stored a bundle newer than the one it last applied.
    case applying = "Applying"
    /// The agent applied a bundle.
    case applied = "Applied"
    /// The agent's last apply failed.
    case failed = "Failed"
    /// The spoke left the inventory.
    case removed = "Removed"
}
