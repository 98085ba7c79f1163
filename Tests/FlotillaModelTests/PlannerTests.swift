import FlotillaFixtures
import FlotillaModel
import FlotillaWire
import Testing

struct PlannerTests {
    static let spokes = [
        Spoke(name: "eu-gold", labels: ["region": "eu", "tier": "gold"]),
        Spoke(name: "eu-silver", labels: ["region": "eu", "tier": "silver"]),
        Spoke(name: "us-gold", labels: ["region": "us", "tier": "gold"]),
        Spoke(name: "unlabelled"),
    ]

    static let workloads = [
        Fixture.object("apps/v1", "Deployment", "shop", "web", labels: ["app": "web"]),
        Fixture.object("v1", "ConfigMap", "shop", "settings", labels: ["app": "web"]),
        Fixture.object("v1", "Namespace", "", "shop", labels: ["team": "retail"]),
        Fixture.object("rbac.authorization.k8s.io/v1", "ClusterRole", "", "reader"),
    ]

    /// Three overlapping policies: eu gets the web app, gold gets everything in `shop` create-only,
    /// and `roles` places the cluster-scoped role everywhere with singleton status at spec level.
    static let policies = [
        BindingPolicy(
            name: "eu", clusterSelectors: [LabelSelector(matchLabels: ["region": "eu"])],
            downsync: [DownsyncClause(objectSelectors: [LabelSelector(matchLabels: ["app": "web"])])]),
        BindingPolicy(
            name: "gold", clusterSelectors: [LabelSelector(matchExpressions: [.init(key: "tier", op: .in, values: ["gold"])])],
            downsync: [
                DownsyncClause(namespaces: ["shop"], createOnly: true),
                DownsyncClause(apiGroup: "", resources: ["configmaps"], wantSingletonReportedState: true),
            ]),
        BindingPolicy(
            name: "roles", clusterSelectors: [LabelSelector()],
            downsync: [DownsyncClause(apiGroup: "rbac.authorization.k8s.io", resources: ["clusterroles"])],
            wantSingletonReportedState: true),
    ]

    static var fleet: FleetSource {
        var f = FleetSource(workloads: workloads.sorted { $0.ref < $1.ref }, policies: policies, spokes: spokes)
        f.namespaceLabels = ["shop": ["team": "retail"]]
        return f
    }

    struct Expected: Sendable {
        var spoke: String
        /// name → (policies, createOnly, singleton)
        var placements: [String: ([String], Bool, Bool)]
    }

    static let expected: [Expected] = [
        Expected(spoke: "eu-gold", placements: [
            "web": (["eu", "gold"], true, false), "settings": (["eu", "gold"], true, true), "reader": (["roles"], false, true),
        ]),
        Expected(spoke: "eu-silver", placements: [
            "web": (["eu"], false, false), "settings": (["eu"], false, false), "reader": (["roles"], false, true),
        ]),
        Expected(spoke: "us-gold", placements: [
            "web": (["gold"], true, false), "settings": (["gold"], true, true), "reader": (["roles"], false, true),
        ]),
        Expected(spoke: "unlabelled", placements: ["reader": (["roles"], false, true)]),
    ]

    @Test(arguments: expected)
    func overlappingPoliciesMergeWithOR(_ e: Expected) throws {
        let plan = Planner.plan(Self.fleet)
        let sp = try #require(plan[spoke: e.spoke])
        #expect(Set(sp.placements.map(\.ref.name)) == Set(e.placements.keys))
        for p in sp.placements {
            let (policies, createOnly, singleton) = try #require(e.placements[p.ref.name])
            #expect(p.policies == policies, "\(e.spoke) \(p.ref)")
            #expect(p.createOnly == createOnly, "\(e.spoke) \(p.ref) createOnly")
            #expect(p.wantSingletonReportedState == singleton, "\(e.spoke) \(p.ref) singleton")
        }
        let bundle = try SpokeBundle.decode(payload: try #require(sp.payload))
        #expect(bundle.items.map(\.ref) == sp.placements.map(\.ref))
        #expect(bundle.items.map(\.createOnly) == sp.placements.map(\.createOnly))
        #expect(bundle.items.map(\.wantSingletonReportedState) == sp.placements.map(\.wantSingletonReportedState))
        #expect(sp.hash == SpokeBundle.hash(ofPayload: sp.payload!))
    }

    @Test func namespaceObjectIsPlacedOnlyByClausesThatSelectIt() throws {
        let plan = Planner.plan(Self.fleet)
        #expect(plan.spokes.allSatisfy { !$0.placements.contains { $0.ref.kind == "Namespace" } })
        #expect(plan.spokes.map(\.spoke.name) == ["eu-gold", "eu-silver", "unlabelled", "us-gold"])
    }

    @Test func policyWithoutClusterSelectorsSelectsNoSpoke() {
        var fleet = Self.fleet
        fleet.policies = [BindingPolicy(name: "none", clusterSelectors: [], downsync: [DownsyncClause(namespaces: ["*"])])]
        let empty = Planner.plan(fleet).spokes.allSatisfy { $0.placements.isEmpty }
        #expect(empty)
    }

    @Test func templatesExpandPerSpokeAndFailuresStayOnTheirSpoke() throws {
        var fleet = Self.fleet
        fleet.spokes = [Spoke(name: "a", labels: ["city": "Lyon"]), Spoke(name: "b")]
        fleet.workloads = [
            Fixture.object(
                "v1", "ConfigMap", "shop", "t", annotations: [TemplateExpander.annotation: "true"],
                body: ["data": ["where": "{{.city}} / {{.clusterName}}"]])
        ]
        fleet.policies = [BindingPolicy(name: "all", clusterSelectors: [LabelSelector()], downsync: [DownsyncClause(objectNames: ["t"])])]
        let plan = Planner.plan(fleet)
        let a = try #require(plan[spoke: "a"])
        let objects = try SpokeBundle.decode(payload: try #require(a.payload)).items.map(\.object)
        #expect(objects.first?["data"] == ["where": "Lyon / a"])
        let b = try #require(plan[spoke: "b"])
        #expect(b.payload == nil && b.hash == nil)
        let failure = try #require(b.failures.first)
        #expect(failure.spoke == "b" && failure.property == "city" && failure.field == "data.where")
        #expect(failure.object.name == "t")
        #expect(b.error?.contains("test.yaml:1") == true && b.error?.contains("data.where") == true)
        #expect(b.placements.count == 1, "a failed spoke still shows what it would get")
    }

    @Test func fastTemplatePathEqualsTreeExpansion() throws {
        let fleet = SyntheticFleet.make(spokes: 30, objects: 120, policies: 12)
        let plan = Planner.plan(fleet)
        var checked = 0
        for sp in plan.spokes {
            guard let payload = sp.payload else { continue }
            let props = TemplateExpander.properties(of: sp.spoke)
            let items = try sp.placements.map { p -> SpokeBundle.Item in
                let object = try #require(fleet.workloads.first { $0.ref == p.ref })
                var tree = ObjectCleaner.clean(object.tree, ref: object.ref, resource: fleet.resource(of: object.ref))
                if TemplateExpander.wantsExpansion(object) { tree = try TemplateExpander.expand(tree, properties: props) }
                return SpokeBundle.Item(ref: p.ref, object: tree, createOnly: p.createOnly, wantSingletonReportedState: p.wantSingletonReportedState)
            }
            #expect(SpokeBundle(items: items).payload == payload, "spoke \(sp.spoke.name)")
            checked += 1
        }
        #expect(checked == 30)
        #expect(plan.spokes.contains { sp in sp.placements.contains { p in fleet.workloads.first { $0.ref == p.ref }.map(TemplateExpander.wantsExpansion) == true } })
    }

    @Test func incrementalUpdatesMatchFullPlansAndReportChangedSpokes() {
        let base = SyntheticFleet.make(spokes: 200, objects: 300, policies: 30)
        var planner = IncrementalPlanner()
        let first = planner.update(base)
        #expect(first.changedSpokes.count == 200)
        #expect(planner.update(base).changedSpokes.isEmpty)

        var steps: [(String, FleetSource)] = []
        var f = base
        f.policies[3].clusterSelectors = [LabelSelector(matchLabels: ["region": "r1"])]
        steps.append(("policy selector", f))
        f.policies[5].downsync = [DownsyncClause(objectNames: ["obj-5", "obj-17"], createOnly: true)]
        steps.append(("policy downsync", f))
        let d = f.workloads.firstIndex { $0.ref.kind == "Deployment" }!
        f.workloads[d].tree["spec"] = ["replicas": 9]
        steps.append(("object content", f))
        // A templated object that some spoke gets, and one such spoke, so that the steps below matter.
        let current = Planner.plan(f)
        let templatedRefs = Set(f.workloads.filter(TemplateExpander.wantsExpansion).map(\.ref))
        let holder = current.spokes.first { $0.placements.contains { templatedRefs.contains($0.ref) } }!
        let placedRef = holder.placements.first { templatedRefs.contains($0.ref) }!.ref
        let t = f.workloads.firstIndex { $0.ref == placedRef }!
        f.workloads[t].tree["data"] = ["x": "{{.missingEverywhere}}"]
        steps.append(("template now failing", f))
        f.workloads[t].tree["data"] = ["x": "{{.greeting}}"]
        steps.append(("template using a property", f))
        f.spokes[7].labels["region"] = "r9"
        steps.append(("spoke labels", f))
        let h = f.spokes.firstIndex { $0.name == holder.spoke.name }!
        f.spokes[h].properties["greeting"] = "hi"
        steps.append(("spoke properties", f))
        f.spokes.remove(at: 9)
        f.spokes.append(Spoke(name: "zz-new", labels: ["region": "r1", "tier": "t0", "country": "c1", "fleet": "retail"]))
        steps.append(("spokes added and removed", f))
        f.policies.remove(at: 0)
        steps.append(("policy removed", f))
        f.workloads.removeLast()
        steps.append(("object removed", f))
        f.customTransforms = [CustomTransform(name: "t", apiGroup: "apps", resource: "deployments", remove: [try! JSONPathQuery("$.spec.replicas")])]
        steps.append(("transform added", f))

        var previous = Planner.plan(base)
        for (name, fleet) in steps {
            let update = planner.update(fleet)
            let full = Planner.plan(fleet)
            #expect(update.plan.spokes.map(\.spoke.name) == full.spokes.map(\.spoke.name), "\(name)")
            #expect(update.plan.spokes.map(\.payload) == full.spokes.map(\.payload), "\(name)")
            #expect(update.plan.spokes.map(\.placements) == full.spokes.map(\.placements), "\(name)")
            #expect(update.plan.spokes.map(\.error) == full.spokes.map(\.error), "\(name)")
            #expect(update.plan.warnings == full.warnings, "\(name)")
            var before: [String: String] = [:]
            for sp in previous.spokes { before[sp.spoke.name] = sp.hash ?? "error:\(sp.error ?? "")" }
            var after: [String: String] = [:]
            for sp in full.spokes { after[sp.spoke.name] = sp.hash ?? "error:\(sp.error ?? "")" }
            let expectedChanged = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }
            #expect(update.changedSpokes == expectedChanged, "\(name)")
            #expect(!expectedChanged.isEmpty, "\(name): the step should change some bundle")
            #expect(expectedChanged.count < full.spokes.count || name.hasPrefix("transform"), "\(name): not everything changes")
            previous = full
        }
    }

    /// The cases of the issue "KubeStellar YAML as-is, round two": objects KubeStellar never
    /// delivers, clauses that select everything, singletons on several spokes. Each step's update
    /// must equal a full plan, warnings included, and report exactly the spokes that changed.
    @Test func incrementalUpdatesMatchFullPlansOnKubeStellarCases() {
        let web: [String: String] = ["app": "web"]
        var f = FleetSource(
            workloads: [
                Fixture.object("apps/v1", "Deployment", "shop", "web", labels: web),
                Fixture.object("v1", "ConfigMap", "shop", "settings"),
                Fixture.object("coordination.k8s.io/v1", "Lease", "shop", "lock", labels: web),
                Fixture.object("v1", "Endpoints", "shop", "web", labels: web),
                Fixture.object("v1", "Node", "", "n1", labels: web),
            ].sorted { $0.ref < $1.ref },
            policies: [
                BindingPolicy(
                    name: "eu", clusterSelectors: [LabelSelector(matchLabels: ["region": "eu"])],
                    downsync: [DownsyncClause(objectSelectors: [LabelSelector(matchLabels: web)])])
            ],
            spokes: [
                Spoke(name: "a", labels: ["region": "eu", "name": "a"]), Spoke(name: "b", labels: ["region": "eu", "name": "b"]),
                Spoke(name: "c", labels: ["region": "us", "name": "c"]),
            ])
        var steps: [(String, FleetSource)] = [("start", f)]
        f.policies[0].downsync[0].wantSingletonReportedState = true
        steps.append(("singleton requested on two spokes", f))
        f.policies[0].name = "eu-renamed"
        steps.append(("policy renamed", f))
        let d = f.workloads.firstIndex { $0.ref.kind == "Deployment" }!
        f.workloads[d].origin = SourceLocation(file: "moved.yaml", line: 7)
        steps.append(("singleton object moved to another file", f))
        f.policies[0].clusterSelectors = [LabelSelector(matchLabels: ["name": "a"])]
        steps.append(("singleton narrowed to one spoke", f))
        f.policies.append(
            BindingPolicy(name: "us-all", clusterSelectors: [LabelSelector(matchLabels: ["region": "us"])], downsync: [DownsyncClause(resources: ["*"])]))
        steps.append(("a clause that selects everything", f))
        let l = f.workloads.firstIndex { $0.ref.kind == "Lease" }!
        f.workloads[l].tree["spec"] = ["holderIdentity": "x"]
        steps.append(("an excluded object changes", f))
        f.policies.append(
            BindingPolicy(
                name: "c-singleton", clusterSelectors: [LabelSelector(matchLabels: ["name": "c"])],
                downsync: [DownsyncClause(objectNames: ["web"], wantSingletonReportedState: true)]))
        steps.append(("a second policy requests the singleton on another spoke", f))
        f.spokes.removeAll { $0.name == "c" }
        steps.append(("that spoke leaves", f))
        f.spokes.removeAll { $0.name == "a" }
        steps.append(("the singleton's last spoke leaves", f))
        f.spokes.append(Spoke(name: "a", labels: ["region": "eu", "name": "a"]))
        steps.append(("it comes back", f))

        var planner = IncrementalPlanner()
        var previous: Plan?
        var sawWarnings = Set<PlanWarning.Kind>()
        var warnings: [String: [PlanWarning]] = [:]
        for (name, fleet) in steps {
            let update = planner.update(fleet)
            let full = Planner.plan(fleet)
            #expect(update.plan.spokes.map(\.spoke.name) == full.spokes.map(\.spoke.name), "\(name)")
            #expect(update.plan.spokes.map(\.payload) == full.spokes.map(\.payload), "\(name)")
            #expect(update.plan.spokes.map(\.placements) == full.spokes.map(\.placements), "\(name)")
            #expect(update.plan.warnings == full.warnings, "\(name)")
            #expect(
                !full.spokes.contains { $0.placements.contains { ["Lease", "Endpoints", "Node"].contains($0.ref.kind) } },
                "\(name): KubeStellar never delivers these")
            var before: [String: String] = [:]
            for sp in previous?.spokes ?? [] { before[sp.spoke.name] = sp.hash ?? "" }
            var after: [String: String] = [:]
            for sp in full.spokes { after[sp.spoke.name] = sp.hash ?? "" }
            #expect(update.changedSpokes == Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }, "\(name)")
            sawWarnings.formUnion(full.warnings.map(\.kind))
            warnings[name] = full.warnings
            previous = full
        }
        #expect(sawWarnings == Set(PlanWarning.Kind.allCases))
        #expect(warnings["singleton requested on two spokes"]?.map(\.spokes) == [["a", "b"]])
        #expect(warnings["policy renamed"]?.map(\.policies) == [["eu-renamed"]])
        #expect(warnings["singleton object moved to another file"]?.first?.origin.file == "moved.yaml")
        #expect(warnings["singleton narrowed to one spoke"] == [])
        #expect(warnings["a second policy requests the singleton on another spoke"]?.map(\.kind) == [.clauseSelectsEverything, .singletonNotOnOneSpoke])
        #expect(warnings["a second policy requests the singleton on another spoke"]?.last?.spokes == ["a", "c"])
        #expect(warnings["a second policy requests the singleton on another spoke"]?.last?.policies == ["c-singleton", "eu-renamed", "us-all"])
        #expect(warnings["that spoke leaves"]?.map(\.kind) == [.clauseSelectsEverything])
        #expect(warnings["the singleton's last spoke leaves"]?.last?.spokes == [], "placed on no spoke")
        #expect(warnings["it comes back"]?.map(\.kind) == [.clauseSelectsEverything])
    }

    @Test func synthesisIsDeterministic() {
        let a = Planner.plan(SyntheticFleet.make(spokes: 50, objects: 100, policies: 10))
        let b = Planner.plan(SyntheticFleet.make(spokes: 50, objects: 100, policies: 10))
        #expect(a.spokes.map(\.hash) == b.spokes.map(\.hash))
        #expect(a.spokes.contains { !$0.placements.isEmpty })
    }
}
