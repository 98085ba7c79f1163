/// Computes every spoke's bundle from a ``FleetSource``. Pure: no I/O, same input, same bytes.
///
/// Work is shared across spokes: each policy's objects and spokes are found once, and an
/// object that needs no templating is cleaned and encoded once, whatever the number of spokes.
public enum Planner {
    public static func plan(_ fleet: FleetSource) -> Plan {
        let objects = fleet.workloads
        let resources = objects.map { fleet.resourceNames.plural(group: $0.ref.group, kind: $0.ref.kind) }

        // policy index → [(object index, createOnly, singleton)]
        var policyObjects: [[(Int, Bool, Bool)]] = []
        for policy in fleet.policies {
            var matched: [(Int, Bool, Bool)] = []
            for (i, obj) in objects.enumerated() {
                let nsLabels = fleet.namespaceLabels[obj.ref.namespace] ?? [:]
                var hit = false
                var createOnly = false
                var singleton = policy.wantSingletonReportedState
                for clause in policy.downsync where clause.matches(obj, resource: resources[i], namespaceLabels: nsLabels) {
                    hit = true
                    createOnly = createOnly || clause.createOnly
                    singleton = singleton || clause.wantSingletonReportedState
                }
                if hit { matched.append((i, createOnly, singleton)) }
            }
            policyObjects.append(matched)
        }

        // Objects without templates are cleaned and encoded once and shared by every spoke.
        let cleaned: [[String: Value]] = objects.map { ObjectCleaner.clean($0.tree, ref: $0.ref) }
        let templated = objects.map(TemplateExpander.wantsExpansion)
        var encodedCache: [Int: [UInt8]] = [:]
        func encoded(_ i: Int) -> [UInt8] {
            if let e = encodedCache[i] { return e }
            let e = Value.object(cleaned[i]).canonicalJSON
            encodedCache[i] = e
            return e
        }

        var result: [Plan.SpokePlan] = []
        result.reserveCapacity(fleet.spokes.count)
        for spoke in fleet.spokes {
            var merged: [Int: (policies: [String], createOnly: Bool, singleton: Bool)] = [:]
            for (p, policy) in fleet.policies.enumerated() where policy.selects(spoke) {
                for (i, co, single) in policyObjects[p] {
                    var m = merged[i] ?? ([], false, false)
                    m.policies.append(policy.name)
                    m.createOnly = m.createOnly || co
                    m.singleton = m.singleton || single
                    merged[i] = m
                }
            }
            let indices = merged.keys.sorted { objects[$0].ref < objects[$1].ref }
            var placements: [Plan.Placement] = []
            var items: [[UInt8]] = []
            var spokeError: String?
            let properties = indices.contains(where: { templated[$0] }) ? TemplateExpander.properties(of: spoke) : [:]
            for i in indices {
                let m = merged[i]!
                placements.append(
                    Plan.Placement(
                        ref: objects[i].ref, policies: m.policies.sorted(), createOnly: m.createOnly,
                        wantSingletonReportedState: m.singleton))
                guard spokeError == nil else { continue }
                let objectJSON: [UInt8]
                if templated[i] {
                    do {
                        objectJSON = Value.object(try TemplateExpander.expand(cleaned[i], properties: properties)).canonicalJSON
                    } catch {
                        let o = objects[i]
                        spokeError = "\(o.origin): \(o.ref) field \(error.field): \(error.message) (spoke \(spoke.name))"
                        continue
                    }
                } else {
                    objectJSON = encoded(i)
                }
                items.append(SpokeBundle.Item.encode(objectJSON: objectJSON, createOnly: m.createOnly, singleton: m.singleton))
            }
            if let spokeError {
                result.append(Plan.SpokePlan(spoke: spoke, placements: placements, payload: nil, hash: nil, error: spokeError))
            } else {
                let payload = SpokeBundle.payload(itemJSON: items)
                result.append(
                    Plan.SpokePlan(
                        spoke: spoke, placements: placements, payload: payload, hash: SpokeBundle.hash(ofPayload: payload),
                        error: nil))
            }
        }
        return Plan(spokes: result)
    }
}
