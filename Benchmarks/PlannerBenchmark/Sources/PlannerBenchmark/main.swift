import FlotillaModel
import Foundation

// Usage: PlannerBenchmark [spokes] [objects] [policies]
let args = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let spokeCount = args.count > 0 ? args[0] : 10_000
let objectCount = args.count > 1 ? args[1] : 2_000
let policyCount = args.count > 2 ? args[2] : 200

func measure<T>(_ label: String, _ body: () -> T) -> T {
    let start = ContinuousClock.now
    let result = body()
    let elapsed = ContinuousClock.now - start
    print("\(label): \(elapsed.formatted(.units(allowed: [.milliseconds], fractionalPart: .show(length: 1))))")
    return result
}

let fleet = measure("generate \(spokeCount) spokes × \(objectCount) objects × \(policyCount) policies") {
    SyntheticFleet.make(spokes: spokeCount, objects: objectCount, policies: policyCount)
}
for run in 1...3 {
    let plan = measure("full plan (Planner.plan), run \(run)") { Planner.plan(fleet) }
    if run == 1 {
        let placements = plan.spokes.reduce(0) { $0 + $1.placements.count }
        let bytes = plan.spokes.reduce(0) { $0 + ($1.payload?.count ?? 0) }
        print("  \(plan.spokes.count) spokes, \(placements) placements, \(bytes / 1_000_000) MB of payload, \(plan.failures.count) failures")
    }
}

var planner = IncrementalPlanner()
let first = measure("incremental: first update") { planner.update(fleet) }
print("  groups \(first.statistics.groupsRebuilt), spokes rendered \(first.statistics.spokesRendered)")
_ = measure("incremental: no change") { planner.update(fleet) }

func report(_ label: String, _ changed: FleetSource, _ planner: inout IncrementalPlanner) {
    let update = measure("incremental: \(label)") { planner.update(changed) }
    let s = update.statistics
    print(
        "  changed spokes \(update.changedSpokes.count); rebuilt objects \(s.objectsRebuilt), policies \(s.policiesRematched), groups \(s.groupsRebuilt), spokes rendered \(s.spokesRendered)"
    )
}

var f1 = fleet
f1.policies[17].clusterSelectors = [LabelSelector(matchLabels: ["region": "r3", "tier": "t1"])]
report("one policy's cluster selector", f1, &planner)

var f2 = f1
f2.policies[42].downsync[0].objectNames = ["obj-42", "obj-142"]
report("one policy's downsync", f2, &planner)

var f3 = f2
let target = f3.workloads.firstIndex { $0.ref.kind == "Deployment" }!
f3.workloads[target].tree["spec"] = ["replicas": 5]
report("one object", f3, &planner)

var f4 = f3
let templatedRefs = Set(f4.workloads.filter(TemplateExpander.wantsExpansion).map(\.ref))
let holder = first.plan.spokes.first { $0.placements.contains { templatedRefs.contains($0.ref) } }!
let placed = holder.placements.first { templatedRefs.contains($0.ref) }!.ref
let templated = f4.workloads.firstIndex { $0.ref == placed }!
f4.workloads[templated].tree["data"] = ["store": "{{.clusterName}}", "extra": "v2"]
report("one templated object", f4, &planner)

var f5 = f4
f5.spokes[1234].labels["region"] = "r9"
report("one spoke's labels", f5, &planner)

var f6 = f5
let h = f6.spokes.firstIndex { $0.name == holder.spoke.name }!
f6.spokes[h].annotations["storeNumber"] = "changed"
report("one spoke's properties", f6, &planner)
