import Foundation
import Synchronization

/// The simulator's counts behind one lock: every change is exact and every snapshot consistent.
/// Spokes change it while holding their own lock (always spoke first, then tally).
final class FleetTally: Sendable {
    private let counts: Mutex<FleetSnapshot>

    init(spokes: Int) {
        var first = FleetSnapshot()
        first.spokes = spokes
        counts = Mutex(first)
    }

    func update(_ change: (inout FleetSnapshot) -> Void) {
        counts.withLock { change(&$0) }
    }

    var snapshot: FleetSnapshot { counts.withLock { $0 } }
}

extension FleetSnapshot {
    /// A spoke's newest applied generation moved from `old` (0: none) to `new`.
    mutating func moveApplied(from old: Int64, to new: Int64) {
        if old > 0 {
            let left = (appliedGenerations[old] ?? 1) - 1
            appliedGenerations[old] = left > 0 ? left : nil
        }
        appliedGenerations[new, default: 0] += 1
        lastApplyAt = Date()
    }
}
