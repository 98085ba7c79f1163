import FlotillaHub

/// Plain-text tables for `flotilla status`.
enum StatusTable {
    /// `wide` adds the signing key and agent version and prints every error in full.
    static func render(_ s: StatusSnapshot, now: Double, wide: Bool = false) -> String {
        var out = "HUB  source \(s.hub.source)  broker \(s.hub.brokerConnected ? "connected" : "DISCONNECTED")\n"
        if let e = s.hub.sourceError { out += "     source error: \(e)\n" }
        out += "\n"
        var header = ["SPOKE", "ONLINE", "LAST SEEN", "DESIRED", "APPLIED", "PHASE", "REPORTS", "ACKED"]
        if wide { header += ["KEY", "AGENT"] }
        var rows: [[String]] = [header + ["ERRORS"]]
        var cut = false
        for sp in s.spokes {
            var errors = sp.errors.joined(separator: "; ").replacingOccurrences(of: "\n", with: " ")
            if !wide && errors.count > 60 {
                errors = String(errors.prefix(59)) + "…"
                cut = true
            }
            let seen: String = sp.lastSeen.map { age(now - $0) } ?? "-"
            let applied: String = sp.appliedGeneration.map(String.init) ?? "-"
            var row: [String] = [sp.name, sp.online ? "yes" : "no", seen, String(sp.desiredGeneration), applied]
            row += [sp.phase.rawValue, String(sp.reportsReceived), "\(sp.ackedSequence)/\(sp.lastSequence)"]
            if wide {
                let key: String = sp.keyId.map { $0.isEmpty ? "unsigned" : $0 } ?? "-"
                row += [key, sp.agentVersion ?? "-"]
            }
            rows.append(row + [errors])
        }
        out += table(rows) + "\n"
        if cut { out += "(errors cut to fit: -o wide or -o json shows them in full)\n" }
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
