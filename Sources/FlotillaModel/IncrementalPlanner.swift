import FlotillaConcurrency
/// Placement that remembers its last answer, so that after a small change in the source (one
/// policy, one object, one spoke) it recomputes only what that change can affect and reports
/// which spokes' bundles changed.
///
/// Work is shared wherever the answer cannot differ:
/// - each object is cleaned and encoded once, whatever the number of spokes;
/// - each policy's objects are found once, and re-tested only for objects that changed;
/// - spokes selected by the same set of policies (a *group*) share one merged placement list,
///   and, unless a templated object is among them, one payload and hash;
/// - a spoke is re-rendered only when its group or its own properties changed.
///
/// Objects KubeStellar never delivers (``DeliveryExclusion``) match no policy. The plan's
/// ``Plan/warnings`` are found here too: clauses that select everything on every update (cheap),
/// singletons on no spoke or several only when placement may have changed.
///
/// ``Planner/plan(_:)`` is an update of an empty planner, so both paths give the same bytes.
public struct IncrementalPlanner: Sendable {
    /// The result of one ``update(_:)``.
    public struct Update: Sendable {
        public var plan: Plan
        /// Spokes whose payload or error differs from the previous update's, including spokes that
        /// appeared or disappeared; on the first update, every spoke.
        public var changedSpokes: Set<String>
        /// How much was recomputed, for benchmarks and logs.
        public var statistics: Statistics
    }

    /// Counts of what one update recomputed.
    public struct Statistics: Sendable, Hashable {
        public var objectsRebuilt = 0
        public var policiesRematched = 0
        public var groupsRebuilt = 0
        public var spokesRendered = 0
    }

    private struct Flags: Hashable {
        var createOnly: Bool
        var singleton: Bool
    }

    private struct ObjectEntry: Sendable {
        var object: ManifestObject
        var resource: String
        var namespaceLabels: [String: String]?
        var transforms: [CustomTransform]
        var rendering: ObjectRendering
        /// KubeStellar never delivers it: no policy places it.
        var excluded: Bool
    }

    private struct PolicyEntry: Sendable {
        var policy: BindingPolicy
        /// Object id → flags, for every object a clause selects.
        private(set) var matches: [Int32: Flags]
        /// The objects of `matches` whose flags ask for singleton status.
        private(set) var singletonIDs: Set<Int32>

        init(policy: BindingPolicy, matches: [Int32: Flags]) {
            self.policy = policy
            self.matches = matches
            singletonIDs = Set(matches.compactMap { $0.value.singleton ? $0.key : nil })
        }

        mutating func set(_ id: Int32, _ flags: Flags?) {
            matches[id] = flags
            if flags?.singleton == true { singletonIDs.insert(id) } else { singletonIDs.remove(id) }
        }
    }

    private struct GroupItem: Sendable {
        var id: Int32
        var flags: Flags
    }

    private struct Group: Sendable {
        var version: Int
        var items: [GroupItem]
        var placements: [Plan.Placement]
        /// The items whose flags ask for singleton status.
        var singletonIDs: [Int32]
        var templated: Bool
        /// Shared payload and hash when no item is templated.
        var payload: [UInt8]?
        var hash: String?
    }

    private struct SpokeEntry: Sendable {
        var spoke: Spoke
        var signature: [Int32]
        var groupVersion: Int
        var plan: Plan.SpokePlan
    }

    private var objectIDs: [ObjectRef: Int32] = [:]
    private var objects: [ObjectEntry?] = []
    private var policyIDs: [String: Int32] = [:]
    private var policies: [PolicyEntry?] = []
    private var spokes: [String: SpokeEntry] = [:]
    private var groups: [[Int32]: Group] = [:]
    private var nextGroupVersion = 0
    /// The singleton warnings of the last update that could change them.
    private var singletonWarnings: [PlanWarning] = []

    public init() {}

    /// Plans `fleet`, reusing everything the previous update computed that `fleet` cannot have changed.
    public mutating func update(_ fleet: FleetSource) -> Update {
        var stats = Statistics()
        let changedObjects = updateObjects(fleet, stats: &stats)
        let (dirtyPolicies, selectorChanged) = updatePolicies(fleet, changedObjects: changedObjects, stats: &stats)
        let liveSpokes = updateSignatures(fleet, selectorChanged: selectorChanged)
        let spokesMoved = liveSpokes.count != spokes.count || liveSpokes.contains { spokes[$0.0.name]?.signature != $0.1 }
        rebuildGroups(liveSpokes: liveSpokes, dirtyPolicies: dirtyPolicies, stats: &stats)
        let placementMoved = spokesMoved || !changedObjects.isEmpty || !dirtyPolicies.isEmpty || stats.groupsRebuilt > 0
        var update = renderSpokes(liveSpokes, stats: stats, findSingletonWarnings: placementMoved)
        update.plan.warnings = Self.clauseWarnings(fleet.policies) + singletonWarnings
        return update
    }

    // MARK: objects

    private mutating func updateObjects(_ fleet: FleetSource, stats: inout Statistics) -> Set<Int32> {
        var changed = Set<Int32>()
        var present = [Bool](repeating: false, count: objects.count)
        var toBuild: [(Int32, ManifestObject, String, [String: String]?, [CustomTransform])] = []
        for object in fleet.workloads {
            let resource = fleet.resource(of: object.ref)
            let nsLabels = fleet.namespaceLabels(of: object.ref)
            let transforms = fleet.transforms(for: object.ref)
            let id: Int32
            if let known = objectIDs[object.ref] {
                id = known
                present[Int(id)] = true
                if let old = objects[Int(id)], old.resource == resource, old.namespaceLabels == nsLabels,
                    old.transforms == transforms, old.object == object
                {
                    continue
                }
            } else {
                id = Int32(objects.count)
                objectIDs[object.ref] = id
                objects.append(nil)
                present.append(true)
            }
            toBuild.append((id, object, resource, nsLabels, transforms))
        }
        let work = toBuild
        let built = ParallelMap.map(work.count) { i in
            let (_, object, resource, nsLabels, transforms) = work[i]
            let cleaned = ObjectCleaner.clean(object.tree, ref: object.ref, resource: resource, transforms: transforms)
            return ObjectEntry(
                object: object, resource: resource, namespaceLabels: nsLabels, transforms: transforms,
                rendering: ObjectRendering(cleaned: cleaned, expandTemplates: TemplateExpander.wantsExpansion(object)),
                excluded: DeliveryExclusion.reason(group: object.ref.group, resource: resource) != nil)
        }
        for (i, entry) in built.enumerated() {
            objects[Int(toBuild[i].0)] = entry
            changed.insert(toBuild[i].0)
        }
        stats.objectsRebuilt = built.count
        for (i, isPresent) in present.enumerated() where !isPresent && objects[i] != nil {
            objectIDs[objects[i]!.object.ref] = nil
            objects[i] = nil
            changed.insert(Int32(i))
        }
        return changed
    }

    private func match(_ policy: BindingPolicy, objectID id: Int32) -> Flags? {
        guard let entry = objects[Int(id)], !entry.excluded else { return nil }
        return policy.downsyncMatch(entry.object, resource: entry.resource, namespaceLabels: entry.namespaceLabels)
            .map { Flags(createOnly: $0.createOnly, singleton: $0.wantSingletonReportedState) }
    }

    // MARK: policies

    /// Returns the policies whose placed objects (or their content) changed, and those whose
    /// cluster selectors changed (so spoke signatures must be re-tested against them).
    private mutating func updatePolicies(
        _ fleet: FleetSource, changedObjects: Set<Int32>, stats: inout Statistics
    ) -> (dirty: Set<Int32>, selectorChanged: Set<Int32>) {
        var dirty = Set<Int32>()
        var selectorChanged = Set<Int32>()
        var present = [Bool](repeating: false, count: policies.count)
        var rematch: [(Int32, BindingPolicy)] = []
        for policy in fleet.policies {
            let id: Int32
            if let known = policyIDs[policy.name] {
                id = known
                present[Int(id)] = true
                if var old = policies[Int(id)] {
                    if old.policy == policy { continue }
                    if old.policy.clusterSelectors != policy.clusterSelectors { selectorChanged.insert(id) }
                    if old.policy.downsync == policy.downsync
                        && old.policy.wantSingletonReportedState == policy.wantSingletonReportedState
                    {
                        old.policy = policy
                        policies[Int(id)] = old
                        continue
                    }
                }
            } else {
                id = Int32(policies.count)
                policyIDs[policy.name] = id
                policies.append(nil)
                present.append(true)
                selectorChanged.insert(id)
            }
            rematch.append((id, policy))
        }
        let liveObjectIDs = objects.indices.filter { objects[$0] != nil }.map { Int32($0) }
        let snapshot = self
        let work = rematch
        let rematched = ParallelMap.map(work.count, serialBelow: 4) { i in
            var matches: [Int32: Flags] = [:]
            for id in liveObjectIDs {
                if let flags = snapshot.match(work[i].1, objectID: id) { matches[id] = flags }
            }
            return matches
        }
        stats.policiesRematched = rematch.count
        var fresh = Set<Int32>()
        for (i, (id, policy)) in rematch.enumerated() {
            if policies[Int(id)]?.matches != rematched[i] { dirty.insert(id) }
            policies[Int(id)] = PolicyEntry(policy: policy, matches: rematched[i])
            fresh.insert(id)
        }
        for (i, isPresent) in present.enumerated() where !isPresent && policies[i] != nil {
            policyIDs[policies[i]!.policy.name] = nil
            policies[i] = nil
            dirty.insert(Int32(i))
            selectorChanged.insert(Int32(i))
        }
        guard !changedObjects.isEmpty else { return (dirty, selectorChanged) }
        for p in policies.indices where !fresh.contains(Int32(p)) {
            guard var entry = policies[p] else { continue }
            var touched = false
            for id in changedObjects {
                let was = entry.matches[id]
                let now = match(entry.policy, objectID: id)
                // A changed object the policy places dirties it even when the flags stay: its bytes changed.
                if was != nil || now != nil {
                    touched = true
                    entry.set(id, now)
                }
            }
            if touched {
                dirty.insert(Int32(p))
                policies[p] = entry
            }
        }
        return (dirty, selectorChanged)
    }

    // MARK: spokes and groups

    /// Brings every spoke's signature (the sorted ids of the policies that select it) up to date.
    private mutating func updateSignatures(_ fleet: FleetSource, selectorChanged: Set<Int32>) -> [(Spoke, [Int32])] {
        let sorted = zip(fleet.spokes, fleet.spokes.dropFirst()).allSatisfy { $0.name < $1.name }
        let list = sorted ? fleet.spokes : fleet.spokes.sorted { $0.name < $1.name }
        let policies = self.policies
        let livePolicies = policies.indices.compactMap { policies[$0] != nil ? Int32($0) : nil }
        let changedLive = selectorChanged.filter { Int($0) < policies.count && policies[Int($0)] != nil }.sorted()
        let previous = spokes
        return ParallelMap.map(list.count) { i in
            let spoke = list[i]
            if let old = previous[spoke.name], old.spoke.labels == spoke.labels {
                guard !selectorChanged.isEmpty else { return (spoke, old.signature) }
                var signature = old.signature.filter { !selectorChanged.contains($0) }
                for id in changedLive where policies[Int(id)]!.policy.selects(spoke) { signature.append(id) }
                signature.sort()
                return (spoke, signature)
            }
            return (spoke, livePolicies.filter { policies[Int($0)]!.policy.selects(spoke) })
        }
    }

    private mutating func rebuildGroups(liveSpokes: [(Spoke, [Int32])], dirtyPolicies: Set<Int32>, stats: inout Statistics) {
        var needed = Set<[Int32]>()
        for (_, signature) in liveSpokes { needed.insert(signature) }
        groups = groups.filter { needed.contains($0.key) }
        var toBuild: [[Int32]] = []
        for signature in needed {
            if groups[signature] != nil && !signature.contains(where: dirtyPolicies.contains) { continue }
            toBuild.append(signature)
        }
        let firstVersion = nextGroupVersion
        nextGroupVersion += toBuild.count
        let snapshot = self
        let work = toBuild
        let built = ParallelMap.map(work.count, serialBelow: 8) { i in
            snapshot.buildGroup(work[i], version: firstVersion + i)
        }
        for (i, group) in built.enumerated() { groups[toBuild[i]] = group }
        stats.groupsRebuilt = built.count
    }

    private func buildGroup(_ signature: [Int32], version: Int) -> Group {
        var merged: [Int32: (policies: [String], flags: Flags)] = [:]
        for p in signature {
            guard let entry = policies[Int(p)] else { continue }
            for (id, flags) in entry.matches {
                var m = merged[id] ?? ([], Flags(createOnly: false, singleton: false))
                m.policies.append(entry.policy.name)
                m.flags.createOnly = m.flags.createOnly || flags.createOnly
                m.flags.singleton = m.flags.singleton || flags.singleton
                merged[id] = m
            }
        }
        let ids = merged.keys.sorted { objects[Int($0)]!.object.ref < objects[Int($1)]!.object.ref }
        var items: [GroupItem] = []
        var placements: [Plan.Placement] = []
        items.reserveCapacity(ids.count)
        placements.reserveCapacity(ids.count)
        var templated = false
        for id in ids {
            let m = merged[id]!
            items.append(GroupItem(id: id, flags: m.flags))
            placements.append(
                Plan.Placement(
                    ref: objects[Int(id)]!.object.ref, policies: m.policies.sorted(), createOnly: m.flags.createOnly,
                    wantSingletonReportedState: m.flags.singleton))
            templated = templated || objects[Int(id)]!.rendering.isTemplated
        }
        var group = Group(
            version: version, items: items, placements: placements,
            singletonIDs: items.compactMap { $0.flags.singleton ? $0.id : nil }, templated: templated)
        if !templated {
            let payload = SpokeBundle.payload(
                itemJSON: items.map {
                    objects[Int($0.id)]!.rendering.staticItem(createOnly: $0.flags.createOnly, singleton: $0.flags.singleton)
                })
            group.payload = payload
            group.hash = SpokeBundle.hash(ofPayload: payload)
        }
        return group
    }

    // MARK: warnings

    /// One warning per clause that selects every object, in policy name and clause order.
    static func clauseWarnings(_ policies: [BindingPolicy]) -> [PlanWarning] {
        var out: [PlanWarning] = []
        for policy in policies {
            for (i, clause) in policy.downsync.enumerated() where clause.selectsEverything {
                out.append(.clauseSelectsEverything(policy, index: i))
            }
        }
        guard out.count > 1 else { return out }
        // Stable: a policy's clauses stay in order.
        return out.enumerated().sorted { ($0.element.policies[0], $0.offset) < ($1.element.policies[0], $1.offset) }.map(\.element)
    }

    /// KubeStellar's check (`pkg/binding/binding.go`): an object some policy wants singleton
    /// status of must land, with that request, on exactly one spoke: the union of the spokes of
    /// every policy that requests it. One warning per object that does not, in object order.
    /// `spokeGroups[i]` is the group of `liveSpokes[i]`.
    private func findSingletonWarnings(_ liveSpokes: [(Spoke, [Int32])], spokeGroups: [Group]) -> [PlanWarning] {
        var requested = Set<Int32>()
        for case let entry? in policies { requested.formUnion(entry.singletonIDs) }
        guard !requested.isEmpty else { return [] }
        // Spoke indices (in name order) per object: cheaper to gather than names.
        var holders: [Int32: [Int]] = [:]
        for (i, group) in spokeGroups.enumerated() {
            for id in group.singletonIDs { holders[id, default: []].append(i) }
        }
        var out: [PlanWarning] = []
        for id in requested where holders[id]?.count != 1 {
            guard let object = objects[Int(id)]?.object else { continue }
            var selecting: [String] = []
            var requesting: [String] = []
            for case let entry? in policies {
                guard let flags = entry.matches[id] else { continue }
                selecting.append(entry.policy.name)
                if flags.singleton { requesting.append(entry.policy.name) }
            }
            let spokes = (holders[id] ?? []).map { liveSpokes[$0].0.name }
            out.append(.singleton(object, requestedBy: requesting.sorted(), policies: selecting.sorted(), spokes: spokes))
        }
        return out.sorted { $0.object! < $1.object! }
    }

    // MARK: rendering

    /// Renders what must be, and finds the singleton warnings again when `findSingletonWarnings`.
    private mutating func renderSpokes(
        _ liveSpokes: [(Spoke, [Int32])], stats: Statistics, findSingletonWarnings: Bool
    ) -> Update {
        var stats = stats
        let previous = spokes
        // One hash lookup per spoke for its group and its previous entry; both are used twice below.
        let spokeGroups = liveSpokes.map { groups[$0.1]! }
        if findSingletonWarnings { singletonWarnings = self.findSingletonWarnings(liveSpokes, spokeGroups: spokeGroups) }
        let before = liveSpokes.map { previous[$0.0.name] }
        // Spokes whose group and template inputs are unchanged keep their plan; the rest render.
        let toRender = liveSpokes.indices.filter { i in
            let spoke = liveSpokes[i].0
            guard let old = before[i], old.groupVersion == spokeGroups[i].version else { return true }
            return spokeGroups[i].templated
                && !(old.spoke.labels == spoke.labels && old.spoke.annotations == spoke.annotations
                    && old.spoke.properties == spoke.properties)
        }
        let snapshot = self
        let rendered = ParallelMap.map(toRender.count) { i in
            snapshot.render(liveSpokes[toRender[i]].0, group: spokeGroups[toRender[i]])
        }
        stats.spokesRendered = rendered.count
        var fresh = [Plan.SpokePlan?](repeating: nil, count: liveSpokes.count)
        for (i, index) in toRender.enumerated() { fresh[index] = rendered[i] }

        var changed = Set<String>()
        var next: [String: SpokeEntry] = [:]
        next.reserveCapacity(liveSpokes.count)
        var plans: [Plan.SpokePlan] = []
        plans.reserveCapacity(liveSpokes.count)
        for (index, (spoke, signature)) in liveSpokes.enumerated() {
            var plan: Plan.SpokePlan
            if let f = fresh[index] {
                plan = f
            } else {
                plan = before[index]!.plan
                plan.spoke = spoke
            }
            if let old = before[index] {
                if old.plan.hash != plan.hash || old.plan.error != plan.error { changed.insert(spoke.name) }
            } else {
                changed.insert(spoke.name)
            }
            next[spoke.name] = SpokeEntry(spoke: spoke, signature: signature, groupVersion: spokeGroups[index].version, plan: plan)
            plans.append(plan)
        }
        for name in previous.keys where next[name] == nil { changed.insert(name) }
        spokes = next
        return Update(plan: Plan(spokes: plans), changedSpokes: changed, statistics: stats)
    }

    private func render(_ spoke: Spoke, group: Group) -> Plan.SpokePlan {
        guard group.templated else {
            return Plan.SpokePlan(
                spoke: spoke, placements: group.placements, payload: group.payload, hash: group.hash, error: nil)
        }
        let properties = TemplateExpander.properties(of: spoke)
        var itemJSON: [[UInt8]] = []
        itemJSON.reserveCapacity(group.items.count)
        var failures: [TemplateFailure] = []
        for item in group.items {
            let entry = objects[Int(item.id)]!
            let rendering = entry.rendering
            if !rendering.isTemplated {
                itemJSON.append(rendering.staticItem(createOnly: item.flags.createOnly, singleton: item.flags.singleton))
                continue
            }
            var objectFailures: [TemplateExpander.Failure] = []
            let json = rendering.render(properties: properties, failures: &objectFailures)
            if objectFailures.isEmpty {
                itemJSON.append(SpokeBundle.Item.encode(objectJSON: json, createOnly: item.flags.createOnly, singleton: item.flags.singleton))
            } else {
                failures += objectFailures.map {
                    TemplateFailure(object: entry.object.ref, origin: entry.object.origin, spoke: spoke.name, failure: $0)
                }
            }
        }
        guard failures.isEmpty else {
            return Plan.SpokePlan(
                spoke: spoke, placements: group.placements, payload: nil, hash: nil,
                error: failures.map(\.description).joined(separator: "\n"), failures: failures)
        }
        let payload = SpokeBundle.payload(itemJSON: itemJSON)
        return Plan.SpokePlan(
            spoke: spoke, placements: group.placements, payload: payload, hash: SpokeBundle.hash(ofPayload: payload), error: nil)
    }
}
