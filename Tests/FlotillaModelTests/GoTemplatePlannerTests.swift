import FlotillaFixtures
import FlotillaModel
import Testing

struct GoTemplatePlannerTests {
    @Test func richTemplatesInThePlanner() throws {
        var fleet = PlannerTests.fleet
        fleet.spokes = [Spoke(name: "a", labels: ["city": "Lyon", "tier": "gold"]), Spoke(name: "b", labels: ["tier": "x"])]
        fleet.workloads = [
            Fixture.object(
                "v1", "ConfigMap", "shop", "t", annotations: [TemplateExpander.annotation: "true"],
                body: ["data": ["where": "{{ .city | printf \"%s-1\" }}", "tier": "{{if eq .tier \"gold\"}}G{{else}}other{{end}}", "plain": "{{- .clusterName -}}"]])
        ]
        fleet.policies = [BindingPolicy(name: "all", clusterSelectors: [LabelSelector()], downsync: [DownsyncClause(objectNames: ["t"])])]
        let plan = Planner.plan(fleet)
        let a = try #require(plan[spoke: "a"])
        let objects = try SpokeBundle.decode(payload: try #require(a.payload)).items.map(\.object)
        #expect(objects.first?["data"] == ["where": "Lyon-1", "tier": "G", "plain": "a"])
        let b = try #require(plan[spoke: "b"])
        #expect(b.payload == nil)
        let failure = try #require(b.failures.first)
        #expect(failure.property == "city" && failure.field == "data.where", "\(b.failures)")
        print("VERIFY", b.error ?? "")
    }
}
