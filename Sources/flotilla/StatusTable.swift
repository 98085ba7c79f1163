import FlotillaHub

/// Plain-text tables for `flotilla status`.
enum StatusTable {
    static func render(_ s: StatusSnapshot, now: Double) -> String {
        var out = "HUB  source \(s.hub.source)  broker \(s.hub.brokerConnected ? "connected" : "DISCONNECTED")\n"
        if let e = s.hub.sourceError { out += "     source error: \(e)\n" }
        out += "\n"
        var rows = [["SPOKE", "ONLINE", "LAST SEEN", "DESIRED", "APPLIED", "PHASE", "REPORTS", "ACKED", "ERRORS"]]
        for sp in s.spokes {
            rows.append([
                sp.name, sp.online ? "yes" : "no", sp.lastSeen.map { age(now - $0) } ?? "-", String(sp.desiredGeneration),
                sp.appliedGeneration.map(String.init) ?? "-", sp.phase.rawValue, String(sp.reportsReceived),
                "\(sp.ackedSequence)/\(sp.lastSequence)", sp.errors.first.map { String($0.prefix(60)) } ?? "",
            ])
        }
        out += table(rows) + "\n"
        var wrows = [["WORKLOAD", "NAMESPACE", "DESIRED", "APPLIED", "FAILED", "FAILED ON"]]
        for w in s.workloads {
            wrows.append([
                "\(w.kind)/\(w.name)", w.namespace.isEmpty ? "-" : w.namespace, String(w.spokes.desired),
                String(w.spokes.applied), String(w.spokes.failed), w.failedOn.joined(separator: ","),
            ])
        }
        out += table(wrows)
        return out
    }

    static func age(_ seconds: Double) -> String {
        let s = max(0, Int(seconds))
        if s < 120 { return "\(s)s ago" }
        if s < 7200 { return "\(s / 60)m ago" }
        return "\(s / 3600)h ago"
    }

    static func table(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        var widths = first.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        return rows.map { r in
            r.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces
        }.joined(separator: "\n")
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
