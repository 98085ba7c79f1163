import FlotillaModel
import FlotillaWire

/// What `flotilla plan` prints, computed from a ``Plan`` and the ``FleetSource`` it came from.
/// Pure: every function returns text or trees and never prints; the same plan gives the same output.
public struct PlanRenderer: Sendable {
    public var plan: Plan
    public var fleet: FleetSource

    public init(plan: Plan, fleet: FleetSource) {
        self.plan = plan
        self.fleet = fleet
    }

    /// Why a rendering request cannot be answered.
    public struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The spokes to show: all, or just `name`.
    /// - Throws: ``Failure`` when `name` is not in the inventory.
    public func spokePlans(_ name: String? = nil) throws(Failure) -> [Plan.SpokePlan] {
        guard let name else { return plan.spokes }
        guard let one = plan[spoke: name] else {
            throw Failure(message: "no spoke named \"\(name)\" in the inventory (\(plan.spokes.count) spokes)")
        }
        return [one]
    }

    /// A table per spoke: a header line (name, object count, short bundle hash or the error),
    /// then one row per object with its kind, namespace, name, the policies that placed it and
    /// its flags. Columns are padded to the widest cell of that spoke.
    /// - Throws: ``Failure`` when `spoke` is given and unknown.
    public func table(spoke: String? = nil) throws(Failure) -> String {
        var out = ""
        for sp in try spokePlans(spoke) {
            let state = sp.hash.map { "bundle \($0.prefix(12))" } ?? "NOT RENDERED"
            out += "SPOKE \(sp.spoke.name)  \(sp.placements.count) object(s)  \(state)\n"
            for failure in sp.failures { out += "  error: \(failure)\n" }
            guard !sp.placements.isEmpty else {
                out += "  (no policy places anything here)\n\n"
                continue
            }
            var rows = [["KIND", "NAMESPACE", "NAME", "POLICIES", "FLAGS"]]
            for p in sp.placements {
                let kind = p.ref.group.isEmpty ? p.ref.kind : "\(p.ref.kind).\(p.ref.group)"
                var flags: [String] = []
                if p.createOnly { flags.append("createOnly") }
                if p.wantSingletonReportedState { flags.append("singleton") }
                rows.append([kind, p.ref.namespace.isEmpty ? "-" : p.ref.namespace, p.ref.name,
                             p.policies.joined(separator: ","), flags.isEmpty ? "-" : flags.joined(separator: ",")])
            }
            out += Self.format(rows, indent: "  ")
            out += "\n"
        }
        return out
    }

    /// The whole story as a tree, for scripts:
    ///
    /// ```
    /// {"spokes":       {"NAME": [{"apiVersion", "kind", "namespace", "name", "policies": [...],
    ///                             "createOnly": bool, "singleton": bool}]},
    ///  "failedSpokes": {"NAME": [{"apiVersion", "kind", "namespace", "name", "file", "line",
    ///                             "field", "property": string|null, "message"}]},
    ///  "warnings":     [{"kind", "policies": [...], "file", "line", "field": string|null,
    ///                    "object": {"apiVersion", "kind", "namespace", "name"}|null,
    ///                    "spokes": [...], "message"}]}
    /// ```
    ///
    /// `spokes` has every spoke (or just `spoke`), including those in `failedSpokes`: a failed
    /// spoke still shows what it would get, and keeps its previous bundle. `failedSpokes` has
    /// the spokes whose bundle could not be rendered, each with every template failure.
    /// `warnings` is ``Plan/warnings`` (fleet-wide, whatever `spoke`).
    /// - Throws: ``Failure`` when `spoke` is given and unknown.
    public func jsonValue(spoke: String? = nil) throws(Failure) -> Value {
        var spokes: [String: Value] = [:]
        var failed: [String: Value] = [:]
        for sp in try spokePlans(spoke) {
            spokes[sp.spoke.name] = Self.placementsValue(sp)
            if sp.payload == nil { failed[sp.spoke.name] = Self.failuresValue(sp) }
        }
        return ["spokes": .object(spokes), "failedSpokes": .object(failed), "warnings": warningsValue]
    }

    /// ``jsonValue(spoke:)``'s canonical bytes, written a spoke at a time to `write` in pieces
    /// of about 64 KiB, so a fleet's plan is never held whole as a tree or as text.
    public func writeJSON(spoke: String? = nil, to write: ([UInt8]) -> Void) throws(Failure) {
        let plans = try spokePlans(spoke).sorted { $0.spoke.name.utf8.lexicographicallyPrecedes($1.spoke.name.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(1 << 17)
        func member(_ name: String, _ value: Value, first: inout Bool) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            Value.string(name).writeCanonical(into: &out)
            out.append(UInt8(ascii: ":"))
            value.writeCanonical(into: &out)
            if out.count >= 1 << 16 {
                write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        // Keys in canonical order: failedSpokes, spokes, warnings.
        out.append(contentsOf: #"{"failedSpokes":{"#.utf8)
        var first = true
        for sp in plans where sp.payload == nil { member(sp.spoke.name, Self.failuresValue(sp), first: &first) }
        out.append(contentsOf: #"},"spokes":{"#.utf8)
        first = true
        for sp in plans { member(sp.spoke.name, Self.placementsValue(sp), first: &first) }
        out.append(contentsOf: #"},"warnings":"#.utf8)
        warningsValue.writeCanonical(into: &out)
        out.append(contentsOf: "}\n".utf8)
        write(out)
    }

    static func placementsValue(_ sp: Plan.SpokePlan) -> Value {
        .array(
            sp.placements.map { p in
                var o = refFields(p.ref)
                o["policies"] = .array(p.policies.map(Value.string))
                o["createOnly"] = .bool(p.createOnly)
                o["singleton"] = .bool(p.wantSingletonReportedState)
                return .object(o)
            })
    }

    static func failuresValue(_ sp: Plan.SpokePlan) -> Value {
        .array(
            sp.failures.map { f in
                var o = refFields(f.object)
                o["file"] = .string(f.origin.file)
                o["line"] = .int(Int64(f.origin.line))
                o["field"] = .string(f.field)
                o["property"] = f.property.map(Value.string) ?? .null
                o["message"] = .string(f.message)
                return .object(o)
            })
    }

    var warningsValue: Value {
        .array(
            plan.warnings.map { w -> Value in
                [
                    "kind": .string(w.kind.rawValue), "policies": .array(w.policies.map(Value.string)),
                    "file": .string(w.origin.file), "line": .int(Int64(w.origin.line)),
                    "field": w.field.map(Value.string) ?? .null,
                    "object": w.object.map { .object(Self.refFields($0)) } ?? .null,
                    "spokes": .array(w.spokes.map(Value.string)), "message": .string(w.message),
                ]
            })
    }

    static func refFields(_ ref: ObjectRef) -> [String: Value] {
        [
            "apiVersion": .string(ref.apiVersion), "kind": .string(ref.kind), "namespace": .string(ref.namespace),
            "name": .string(ref.name),
        ]
    }

    /// ``jsonValue(spoke:)`` in canonical JSON (sorted keys, no whitespace) plus a newline.
    public func json(spoke: String? = nil) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        try writeJSON(spoke: spoke) { out += $0 }
        return out
    }

    /// The exact objects of `spoke`'s rendered bundle (cleaned, transformed, templates expanded),
    /// decoded from its payload, in bundle order.
    /// - Throws: ``Failure`` when the spoke is unknown or its rendering failed (naming every failure).
    public func bundleObjects(spoke: String) throws(Failure) -> [[String: Value]] {
        let sp = try spokePlans(spoke)[0]
        guard let payload = sp.payload else {
            throw Failure(message: "spoke \"\(spoke)\" has no bundle:\n" + sp.failures.map { "  \($0)" }.joined(separator: "\n"))
        }
        do {
            return try SpokeBundle.decode(payload: payload).items.map(\.object)
        } catch {
            throw Failure(message: "spoke \"\(spoke)\": its payload does not decode: \(error)")
        }
    }

    static func format(_ rows: [[String]], indent: String) -> String {
        var widths = [Int](repeating: 0, count: rows.map(\.count).max() ?? 0)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in rows {
            var line = indent
            for (i, cell) in row.enumerated() {
                line += i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count + 2)
            }
            out += line + "\n"
        }
        return out
    }
}
