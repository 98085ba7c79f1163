import FlotillaFixtures
import FlotillaModel
import Foundation

/// Full and incremental planning of a synthetic fleet (issue 10's targets: < 2 s and < 100 ms
/// at 10,000 spokes × 2,000 objects × 200 policies).
public enum PlanBenchmark {
    public static func run(spokes: Int, objects: Int, policies: Int, print say: (String) -> Void) {
        let fleet = Stopwatch.measure("generate \(spokes) spokes × \(objects) objects × \(policies) policies", say) {
            SyntheticFleet.make(spokes: spokes, objects: objects, policies: policies)
        }
        var best = Duration.seconds(1_000)
        for run in 1...3 {
            let start = ContinuousClock.now
            let plan = Planner.plan(fleet)
            let elapsed = ContinuousClock.now - start
            best = min(best, elapsed)
            say("full plan, run \(run): \(Stopwatch.ms(elapsed))")
            if run == 1 {
                let placements = plan.spokes.reduce(0) { $0 + $1.placements.count }
                let bytes = plan.spokes.reduce(0) { $0 + ($1.payload?.count ?? 0) }
                say("  \(plan.spokes.count) spokes, \(placements) placements, \(bytes / 1_000_000) MB of payload")
            }
        }
        say("RESULT full plan best of 3: \(Stopwatch.ms(best)) (target < 2000 ms)")

        var planner = IncrementalPlanner()
        let first = planner.update(fleet)
        func step(_ label: String, _ changed: FleetSource) {
            let start = ContinuousClock.now
            let update = planner.update(changed)
            say("RESULT incremental, \(label): \(Stopwatch.ms(ContinuousClock.now - start)) (\(update.changedSpokes.count) spokes changed; target < 100 ms)")
        }
        step("no change", fleet)
        var f = fleet
        f.policies[17 % f.policies.count].clusterSelectors = [LabelSelector(matchLabels: ["region": "r3", "tier": "t1"])]
        step("one policy's cluster selector", f)
        if let target = f.workloads.firstIndex(where: { $0.ref.kind == "Deployment" }) {
            f.workloads[target].tree["spec"] = ["replicas": 5]
            step("one object", f)
        }
        let templatedRefs = Set(f.workloads.filter(TemplateExpander.wantsExpansion).map(\.ref))
        if let holder = first.plan.spokes.first(where: { $0.placements.contains { templatedRefs.contains($0.ref) } }),
            let i = f.spokes.firstIndex(where: { $0.name == holder.spoke.name })
        {
            f.spokes[i].labels["region"] = "r9"
            step("one spoke's labels", f)
        }
    }
}

enum Stopwatch {
    static func ms(_ d: Duration) -> String {
        let c = d.components
        return String(format: "%.3f ms", Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15)
    }

    static func measure<T>(_ label: String, _ say: (String) -> Void, _ body: () -> T) -> T {
        let start = ContinuousClock.now
        let r = body()
        say("\(label): \(ms(ContinuousClock.now - start))")
        return r
    }
}
