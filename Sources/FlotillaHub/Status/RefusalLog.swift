import Foundation

/// Rate-limits log lines about refused input: once per spoke and reason per interval, with the
/// count of what was suppressed meanwhile. A hostile spoke can send thousands of bad messages a
/// second; the log must still name it without drowning everything else.
struct RefusalLog: Sendable {
    struct Key: Hashable, Sendable {
        var spoke: String
        var reason: String
    }

    var interval: Double = 60
    /// Bounds the memory one flood of distinct names or reasons can take.
    var maxKeys = 10_000
    private var lastLogged: [Key: (at: Double, suppressed: Int)] = [:]

    /// Whether to log now, and how many lines of the same key were suppressed since the last one.
    mutating func admit(spoke: String, reason: String, now: Double = Date().timeIntervalSince1970) -> (log: Bool, suppressed: Int) {
        let key = Key(spoke: spoke, reason: reason)
        if let last = lastLogged[key], now - last.at < interval {
            lastLogged[key] = (last.at, last.suppressed + 1)
            return (false, 0)
        }
        if lastLogged.count >= maxKeys { lastLogged = lastLogged.filter { now - $0.value.at < interval } }
        if lastLogged.count >= maxKeys { lastLogged.removeAll() }
        let suppressed = lastLogged[key]?.suppressed ?? 0
        lastLogged[key] = (now, 0)
        return (true, suppressed)
    }
}
