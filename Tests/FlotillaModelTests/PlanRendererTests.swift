import FlotillaFixtures
import FlotillaModel
import FlotillaRendering
import FlotillaSource
import Foundation
import Testing

struct PlanRendererTests {
    static var renderer: PlanRenderer {
        let fleet = PlannerTests.fleet
        return PlanRenderer(plan: Planner.plan(fleet), fleet: fleet)
    }

    @Test func tableListsObjectsAndPolicies() throws {
        let table = try Self.renderer.table(spoke: "eu-gold")
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("SPOKE eu-gold  3 object(s)  bundle "))
        #expect(lines[1].split(separator: " ", omittingEmptySubsequences: true) == ["KIND", "NAMESPACE", "NAME", "POLICIES", "FLAGS"])
        #expect(lines.contains { $0.contains("ConfigMap") && $0.contains("settings") && $0.contains("eu,gold") && $0.contains("createOnly,singleton") })
        #expect(lines.contains { $0.contains("ClusterRole.rbac.authorization.k8s.io") && $0.contains(" - ") && $0.contains("roles") })
        #expect(!table.contains("us-gold"))
        #expect(try Self.renderer.table().contains("SPOKE us-gold"))
    }

    @Test func unknownSpokeIsAnError() {
        #expect(throws: PlanRenderer.Failure.self) { try Self.renderer.table(spoke: "nope") }
    }

    @Test func jsonFollowsTheContract() throws {
        let bytes = try Self.renderer.json(spoke: "unlabelled")
        let w1 = #"{"field":null,"file":"test.yaml","kind":"singletonNotOnOneSpoke","line":1,"#
            + #""message":"singleton reported state is requested (BindingPolicy gold) but the object is placed on 2 spokes: eu-gold, us-gold; KubeStellar reports this in the status.errors of BindingPolicy eu, gold","#
            + #""object":{"apiVersion":"v1","kind":"ConfigMap","name":"settings","namespace":"shop"},"policies":["eu","gold"],"spokes":["eu-gold","us-gold"]}"#
        let w2 = #"{"field":null,"file":"test.yaml","kind":"singletonNotOnOneSpoke","line":1,"#
            + #""message":"singleton reported state is requested (BindingPolicy roles) but the object is placed on 4 spokes: eu-gold, eu-silver, unlabelled, us-gold; KubeStellar reports this in the status.errors of BindingPolicy roles","#
            + #""object":{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","name":"reader","namespace":""},"policies":["roles"],"spokes":["eu-gold","eu-silver","unlabelled","us-gold"]}"#
        let expected =
            #"{"failedSpokes":{},"spokes":{"unlabelled":[{"apiVersion":"rbac.authorization.k8s.io/v1","createOnly":false,"kind":"ClusterRole","name":"reader","namespace":"","policies":["roles"],"singleton":true}]},"#
            + #""warnings":[\#(w1),\#(w2)]}"#
        #expect(String(decoding: bytes, as: UTF8.self) == expected + "\n")
        let all = try Self.renderer.jsonValue()
        #expect(all.objectValue?["spokes"]?.objectValue?.keys.sorted() == ["eu-gold", "eu-silver", "unlabelled", "us-gold"])
    }

    @Test func theStreamedJSONIsTheCanonicalTreeInPieces() throws {
        let fleet = SyntheticFleet.make(spokes: 400, objects: 60, policies: 12)
        let renderer = PlanRenderer(plan: Planner.plan(fleet), fleet: fleet)
        var pieces: [[UInt8]] = []
        try renderer.writeJSON { pieces.append($0) }
        #expect(pieces.count > 1, "a fleet's plan is written in pieces")
        #expect(Array(pieces.joined()) == (try renderer.jsonValue()).canonicalJSON + [0x0A])
    }

    @Test func bundleObjectsAreTheRenderedBundle() throws {
        var fleet = PlannerTests.fleet
        fleet.workloads = fleet.workloads.map { o in
            var o = o
            if o.ref.name == "settings" {
                o.tree["status"] = ["phase": "x"]
                o.tree["data"] = ["port": "80", "on": "true", "who": "{{.clusterName}}"]
                o.tree["metadata"] = ["name": "settings", "namespace": "shop", "labels": ["app": "web"],
                                      "annotations": [.init(TemplateExpander.annotation): "true"]]
            }
            return o
        }
        let renderer = PlanRenderer(plan: Planner.plan(fleet), fleet: fleet)
        let objects = try renderer.bundleObjects(spoke: "eu-silver")
        let settings = try #require(objects.first { $0["metadata"]?.objectValue?["name"] == "settings" })
        #expect(settings["status"] == nil)
        #expect(settings["data"] == ["port": "80", "on": "true", "who": "eu-silver"])
        let yaml = try ManifestYAML.render(objects)
        #expect(yaml.hasPrefix("---\n"), "\(yaml)")
        #expect(yaml.contains("port: \"80\"") && yaml.contains("\"on\": \"true\"") && yaml.contains("who: eu-silver"), "\(yaml)")
        #expect(try ManifestYAML.render(objects) == yaml)
        var reparsed: [ManifestObject] = []
        var errors: [SourceError] = []
        SourceLoader.parse(text: yaml, file: "out.yaml", into: &reparsed, errors: &errors)
        #expect(errors.isEmpty)
        #expect(reparsed.map(\.tree) == objects, "the YAML reads back as the same trees")
    }

    @Test func explainNamesTheClauseOrTheFailedTest() throws {
        let text = try Self.renderer.explain("ConfigMap/shop/settings")
        #expect(text.hasPrefix("ConfigMap/shop/settings (resource configmaps)"))
        #expect(text.contains("BindingPolicy eu (test.yaml:0): selects the object") || text.contains("BindingPolicy eu ("))
        let e = try Self.renderer.explanation("configmap/shop/settings")
        let byName = Dictionary(uniqueKeysWithValues: e.policies.map { ($0.policy, $0) })
        #expect(byName["eu"]?.selectsObject == true)
        #expect(byName["eu"]?.spokes == ["eu-gold", "eu-silver"])
        #expect(byName["gold"]?.clauses.map(\.failedTest) == [nil, nil])
        #expect(byName["roles"]?.selectsObject == false)
        #expect(byName["roles"]?.clauses.first?.failedTest == .apiGroup)
        #expect(byName["roles"]?.spokes.count == 4)
        #expect(e.placedOn == ["eu-gold", "eu-silver", "us-gold"])
        #expect(text.contains("downsync[0]: fails apiGroup"))
    }

    @Test func explainFindsClusterScopedAndQualifiedKinds() throws {
        #expect(try Self.renderer.explanation("ClusterRole/reader").placedOn.count == 4)
        #expect(try Self.renderer.explanation("Deployment.apps/shop/web").object.name == "web")
        #expect(throws: PlanRenderer.Failure.self) { try Self.renderer.explanation("Deployment.batch/shop/web") }
        #expect(throws: PlanRenderer.Failure.self) { try Self.renderer.explanation("web") }
    }
}
