import FlotillaModel
import FlotillaRendering
import FlotillaSource
import Foundation
import Testing

/// KubeStellar's YAML, as its documentation publishes it, planned the way KubeStellar would
/// deliver it (issue "KubeStellar YAML as-is, round two").
struct KubeStellarYAMLTests {
    /// The two WECs of KubeStellar's getting-started guide, labelled as it labels them.
    static let inventory = """
        apiVersion: cluster.open-cluster-management.io/v1
        kind: ManagedCluster
        metadata:
          name: cluster1
          labels: {location-group: edge, name: cluster1}
        ---
        apiVersion: cluster.open-cluster-management.io/v1
        kind: ManagedCluster
        metadata:
          name: cluster2
          labels: {location-group: edge, name: cluster2}
        """

    /// Scenario 4 ("Singleton Status") of KubeStellar's example scenarios: the BindingPolicy.
    static func scenario4Policy(clusterSelector: String = #"{"name":"cluster1"}"#) -> String {
        """
        apiVersion: control.kubestellar.io/v1alpha1
        kind: BindingPolicy
        metadata:
          name: nginx-singleton-bpolicy
        spec:
          clusterSelectors:
          - matchLabels: \(clusterSelector)
          downsync:
          - objectSelectors:
            - matchLabels: {"app.kubernetes.io/name":"nginx-singleton"}
            wantSingletonReportedState: true
        """
    }

    /// Scenario 4's Deployment, applied without a namespace.
    static let scenario4Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: nginx-singleton-deployment
          labels:
            app.kubernetes.io/name: nginx-singleton
        spec:
          replicas: 1
          selector:
            matchLabels:
              app: nginx
          template:
            metadata:
              labels:
                app: nginx
            spec:
              containers:
              - name: nginx
                image: public.ecr.aws/nginx/nginx:latest
                ports:
                - containerPort: 80
        """

    /// Scenario 1's BindingPolicy (both WECs, objects labelled `app.kubernetes.io/name: nginx`).
    static let scenario1Policy = """
        apiVersion: control.kubestellar.io/v1alpha1
        kind: BindingPolicy
        metadata:
          name: nginx-bpolicy
        spec:
          clusterSelectors:
          - matchLabels: {"location-group": "edge"}
          downsync:
          - objectSelectors:
            - matchLabels: {"app.kubernetes.io/name":"nginx"}
        """

    static func load(_ files: [String: String]) throws -> (FleetSource, Plan) {
        let source = try TemporarySource(files)
        let fleet = try source.loader.loadFleet()
        return (fleet, Planner.plan(fleet))
    }

    // MARK: 1. namespaced objects without a namespace belong to `default`

    @Test func scenario4DeploymentIsPlannedInTheDefaultNamespace() throws {
        let (fleet, plan) = try Self.load([
            "inventory.yaml": Self.inventory, "policy.yaml": Self.scenario4Policy(), "deployment.yaml": Self.scenario4Deployment,
        ])
        let ref = ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "nginx-singleton-deployment")
        #expect(fleet.workloads.map(\.ref) == [ref])
        let cluster1 = try #require(plan[spoke: "cluster1"])
        #expect(cluster1.placements.map(\.ref) == [ref])
        #expect(cluster1.placements.first?.wantSingletonReportedState == true)
        #expect(plan[spoke: "cluster2"]?.placements.isEmpty == true)
        #expect(plan.warnings.isEmpty, "one WEC: the singleton is well placed")

        let renderer = PlanRenderer(plan: plan, fleet: fleet)
        let object = try #require(try renderer.bundleObjects(spoke: "cluster1").first)
        #expect(object["metadata"]?.objectValue?["namespace"] == "default", "the bundle carries the namespace")
        let explained = try renderer.explanation("Deployment/default/nginx-singleton-deployment")
        #expect(explained.placedOn == ["cluster1"])
        #expect(explained.origin == SourceLocation(file: "deployment.yaml", line: 1))
        #expect { try renderer.explanation("Deployment/nginx-singleton-deployment") } throws: { error in
            (error as? PlanRenderer.Failure)?.message.contains("Deployment/default/nginx-singleton-deployment") == true
        }
    }

    @Test func theSameObjectWithAndWithoutNamespaceDefaultIsADuplicate() throws {
        let withDefault = Self.scenario4Deployment.replacingOccurrences(
            of: "  name: nginx-singleton-deployment\n", with: "  name: nginx-singleton-deployment\n  namespace: default\n")
        #expect(withDefault != Self.scenario4Deployment)
        let errors = try TemporarySource(["a.yaml": Self.scenario4Deployment, "b.yaml": withDefault]).errors()
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.object == "Deployment.apps/default/nginx-singleton-deployment")
        #expect(errors.first?.message.contains("duplicate") == true && errors.first?.message.contains("a.yaml:1") == true)
    }

    @Test func aClauseForNamespaceDefaultSelectsAnObjectWrittenWithoutOne() throws {
        let policy = """
            apiVersion: control.kubestellar.io/v1alpha1
            kind: BindingPolicy
            metadata: {name: defaults}
            spec:
              clusterSelectors: [{matchLabels: {name: cluster2}}]
              downsync: [{namespaces: [default]}]
            """
        let (_, plan) = try Self.load(["inventory.yaml": Self.inventory, "p.yaml": policy, "d.yaml": Self.scenario4Deployment])
        #expect(plan[spoke: "cluster2"]?.placements.map(\.ref.namespace) == ["default"])
    }

    /// (case, object YAML, its namespace once classified, whether its tree keeps a namespace)
    static let scopes: [(String, String, String)] = [
        ("ConfigMap without namespace", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "default"),
        ("Secret with namespace", "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: shop}\n", "shop"),
        ("Role without namespace", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\n", "default"),
        ("ClusterRole stays cluster-scoped", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n", ""),
        ("Namespace stays cluster-scoped", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n", ""),
        ("StorageClass stays cluster-scoped", "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast}\nprovisioner: x\n", ""),
        (
            "a namespace on a cluster-scoped kind is dropped, as the API server does",
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b, namespace: shop}\n", ""
        ),
        ("custom kind of a Namespaced CRD", "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n", "default"),
        ("custom kind of a Cluster CRD", "apiVersion: example.com/v1\nkind: Rack\nmetadata: {name: r, namespace: lab}\n", ""),
        ("custom kind without a CRD: as written", "apiVersion: other.example/v1\nkind: Widget\nmetadata: {name: w}\n", ""),
        ("custom kind without a CRD keeps its namespace", "apiVersion: other.example/v1\nkind: Widget\nmetadata: {name: w2, namespace: lab}\n", "lab"),
    ]

    static let crds = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: gadgets.example.com}
        spec:
          group: example.com
          scope: Namespaced
          names: {kind: Gadget, plural: gadgets}
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: racks.example.com}
        spec:
          group: example.com
          scope: Cluster
          names: {kind: Rack, plural: racks}
        """

    @Test(arguments: scopes)
    func scopeDecidesTheNamespace(_ name: String, _ yaml: String, _ namespace: String) throws {
        // The object comes first and the CRDs last: a CRD decides wherever it is in the source.
        let (fleet, _) = try Self.load(["a.yaml": yaml, "z/crds.yaml": Self.crds])
        let object = try #require(fleet.workloads.first { $0.ref.kind != "CustomResourceDefinition" }, "\(name)")
        #expect(object.ref.namespace == namespace, "\(name)")
        #expect(object.tree["metadata"]?.objectValue?["namespace"]?.stringValue ?? "" == namespace, "\(name): tree and identity agree")
    }

    @Test func aCRDNeedsItsScope() throws {
        let crd = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata: {name: gadgets.example.com}
            spec:
              group: example.com
              scope: Global
              names: {kind: Gadget, plural: gadgets}
            """
        let errors = try TemporarySource(["crd.yaml": crd]).errors()
        #expect(errors.contains { $0.field == "spec.scope" && $0.message.contains("Cluster or Namespaced") && $0.message.contains("Global") }, "\(errors)")
        let missing = try TemporarySource(["crd.yaml": crd.replacingOccurrences(of: "  scope: Global\n", with: "")]).errors()
        #expect(missing.contains { $0.field == "spec.scope" && $0.message.contains("found nothing") }, "\(missing)")
    }

    // MARK: 2. what KubeStellar never delivers is never placed

    /// KubeStellar's binding controller (`pkg/binding/binding-controller.go`, `excludedGroups`
    /// and `excludedGroupResources`), read at kubestellar/kubestellar 1c28a8a.
    @Test func theExclusionsAreKubeStellars() {
        #expect(
            DeliveryExclusion.groups == [
                "flowcontrol.apiserver.k8s.io", "discovery.k8s.io", "apiregistration.k8s.io", "coordination.k8s.io",
                "control.kubestellar.io",
            ])
        #expect(
            DeliveryExclusion.groupResources == [
                "/events", "events.k8s.io/events", "/nodes", "storage.k8s.io/csistoragecapacities", "storage.k8s.io/csinodes",
                "/endpoints",
            ])
    }

    /// (apiVersion, kind, namespace, whether KubeStellar delivers it)
    static let deliveries: [(String, String, String, Bool)] = [
        ("coordination.k8s.io/v1", "Lease", "nginx", false),
        ("discovery.k8s.io/v1", "EndpointSlice", "nginx", false),
        ("apiregistration.k8s.io/v1", "APIService", "", false),
        ("flowcontrol.apiserver.k8s.io/v1", "FlowSchema", "", false),
        ("control.kubestellar.io/v1alpha1", "StatusCollector", "", false),
        ("v1", "Event", "nginx", false),
        ("events.k8s.io/v1", "Event", "nginx", false),
        ("v1", "Node", "", false),
        ("v1", "Endpoints", "nginx", false),
        ("storage.k8s.io/v1", "CSIStorageCapacity", "nginx", false),
        ("storage.k8s.io/v1", "CSINode", "", false),
        ("v1", "ConfigMap", "nginx", true),
        ("storage.k8s.io/v1", "StorageClass", "", true),
        ("discovery.example.com/v1", "Event", "nginx", true),
    ]

    @Test(arguments: deliveries)
    func excludedObjectsAreNeverPlaced(_ apiVersion: String, _ kind: String, _ namespace: String, _ delivered: Bool) throws {
        let object = """
            apiVersion: \(apiVersion)
            kind: \(kind)
            metadata:
              name: x
            \(namespace.isEmpty ? "" : "  namespace: \(namespace)\n")  labels: {"app.kubernetes.io/name": "nginx"}
            """
        let (fleet, plan) = try Self.load(["inventory.yaml": Self.inventory, "policy.yaml": Self.scenario1Policy, "x.yaml": object])
        let placed = plan.spokes.filter { !$0.placements.isEmpty }.map(\.spoke.name)
        #expect(placed == (delivered ? ["cluster1", "cluster2"] : []), "\(kind).\(apiVersion)")
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        let explained = try PlanRenderer(plan: plan, fleet: fleet).explain(
            "\(kind)\(group.isEmpty ? "" : ".\(group)")/\(namespace.isEmpty ? "" : "\(namespace)/")x")
        #expect(explained.contains("never placed: KubeStellar never delivers") == !delivered, "\(explained)")
        #expect(explained.contains("BindingPolicy nginx-bpolicy (policy.yaml:1): selects the object"), "the clause still matches: \(explained)")
        #expect(explained.contains("placed on \(delivered ? 2 : 0) spoke(s)"), "\(explained)")
    }

    @Test func explainNamesTheExcludedGroupOrResource() throws {
        let (fleet, plan) = try Self.load([
            "inventory.yaml": Self.inventory, "policy.yaml": Self.scenario1Policy,
            "x.yaml": """
                apiVersion: coordination.k8s.io/v1
                kind: Lease
                metadata: {name: l, labels: {"app.kubernetes.io/name": "nginx"}}
                ---
                apiVersion: v1
                kind: Endpoints
                metadata: {name: e, labels: {"app.kubernetes.io/name": "nginx"}}
                """,
        ])
        let renderer = PlanRenderer(plan: plan, fleet: fleet)
        #expect(try renderer.explanation("Lease/default/l").excluded?.contains("API group coordination.k8s.io") == true)
        #expect(try renderer.explanation("Endpoints/default/e").excluded?.contains("endpoints of the core group") == true)
    }

    // MARK: 3. lists

    /// What `kubectl get configmap,deployment -o yaml` writes.
    static let kubectlList = """
        apiVersion: v1
        items:
        - apiVersion: v1
          data: {greeting: hello}
          kind: ConfigMap
          metadata:
            labels: {app.kubernetes.io/name: nginx}
            name: settings
            namespace: nginx
            resourceVersion: "4711"
            uid: 0f1e2d3c-aaaa-bbbb-cccc-000000000001
        - apiVersion: apps/v1
          kind: Deployment
          metadata:
            labels: {app.kubernetes.io/name: nginx}
            name: web
          spec: {replicas: 1}
        kind: List
        metadata:
          resourceVersion: ""
        """

    @Test func aKubectlListStandsForItsItems() throws {
        let (fleet, plan) = try Self.load(["inventory.yaml": Self.inventory, "policy.yaml": Self.scenario1Policy, "dump/list.yaml": Self.kubectlList])
        #expect(fleet.workloads.map(\.ref.description) == ["ConfigMap/nginx/settings", "Deployment.apps/default/web"])
        let origins = Dictionary(uniqueKeysWithValues: fleet.workloads.map { ($0.ref.name, $0.origin) })
        #expect(origins["settings"] == SourceLocation(file: "dump/list.yaml", line: 3))
        #expect(origins["web"] == SourceLocation(file: "dump/list.yaml", line: 12))
        #expect(plan[spoke: "cluster1"]?.placements.count == 2)
        let payload = String(decoding: try #require(plan[spoke: "cluster2"]?.payload), as: UTF8.self)
        #expect(!payload.contains("4711") && !payload.contains("uid"), "items are cleaned like any object")
    }

    @Test func aTypedListGivesItsKindToItemsWithout() throws {
        let list = """
            apiVersion: v1
            kind: ConfigMapList
            metadata: {}
            items:
            - metadata: {name: a, namespace: shop}
              data: {x: "1"}
            - apiVersion: v1
              kind: Secret
              metadata: {name: b, namespace: shop}
            """
        let parsed = Fixture.parse(list, file: "l.yaml")
        #expect(parsed.errors.isEmpty, "\(parsed.errors)")
        #expect(parsed.objects.map(\.ref.description) == ["ConfigMap/shop/a", "Secret/shop/b"])
        #expect(parsed.objects.map(\.origin.line) == [5, 7])
        #expect(parsed.objects.first?.tree["kind"] == "ConfigMap" && parsed.objects.first?.tree["apiVersion"] == "v1")
    }

    @Test func aJSONListAndNestedListsWork() throws {
        let json = """
            {"apiVersion": "v1", "kind": "List", "items": [
              {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}},
              {"apiVersion": "v1", "kind": "List", "items": [
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}
              ]}
            ]}
            """
        let parsed = Fixture.parse(json, file: "l.json")
        #expect(parsed.errors.isEmpty, "\(parsed.errors)")
        #expect(parsed.objects.map(\.ref.name) == ["a", "b"])
        #expect(parsed.objects.map(\.origin.line) == [2, 4])
        #expect(Fixture.parse("apiVersion: v1\nkind: List\nitems: []\n").objects.isEmpty)
    }

    /// (case, YAML, line, object, field, message fragment)
    static let listErrors: [(String, String, Int, String, String, String)] = [
        ("List without items", "apiVersion: v1\nkind: List\nmetadata: {}\n", 1, "List", "items", "items array"),
        ("items not a list", "apiVersion: v1\nkind: List\nitems: {a: 1}\n", 1, "List", "items", "items array"),
        ("item not a map", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- just text\n", 7, "List", "items[1]", "a map"),
        ("item without a name", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {}\n", 4, "ConfigMap", "metadata.name", "required"),
    ]

    @Test(arguments: listErrors)
    func listErrorsNameTheItem(_ name: String, _ yaml: String, _ line: Int, _ object: String, _ field: String, _ message: String) {
        let errors = Fixture.parse(yaml, file: "l.yaml").errors
        #expect(
            errors.contains { $0.location.line == line && $0.object == object && $0.field == field && $0.message.contains(message) },
            "\(name): \(errors)")
    }

    @Test func aKindEndingInListWithoutItemsIsAnObject() throws {
        let parsed = Fixture.parse("apiVersion: example.com/v1\nkind: ShoppingList\nmetadata: {name: groceries}\nspec: {}\n")
        #expect(parsed.errors.isEmpty)
        #expect(parsed.objects.map(\.ref.kind) == ["ShoppingList"])
    }

    // MARK: 5. clauses KubeStellar accepts

    /// Clauses none of whose tests discriminates: KubeStellar's CRD accepts them (some test
    /// field is present) and its binding controller matches every object with them.
    static let everythingClauses: [(String, String)] = [
        ("resources star", #"[{resources: ["*"]}]"#),
        ("empty namespace selector", "[{namespaceSelectors: [{}]}]"),
        ("namespaces and names star", #"[{namespaces: ["*"], objectNames: ["*"]}]"#),
        ("empty object selector", "[{objectSelectors: [{}]}]"),
        ("empty resources list", "[{resources: []}]"),
    ]

    @Test(arguments: everythingClauses)
    func aClauseThatDoesNotDiscriminateSelectsEverything(_ name: String, _ downsync: String) throws {
        let policy = """
            apiVersion: control.kubestellar.io/v1alpha1
            kind: BindingPolicy
            metadata: {name: everything}
            spec:
              clusterSelectors: [{matchLabels: {name: cluster1}}]
              downsync: \(downsync)
            """
        let objects = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: nginx}
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: reader}
            ---
            apiVersion: coordination.k8s.io/v1
            kind: Lease
            metadata: {name: l, namespace: nginx}
            """
        let (fleet, plan) = try Self.load([
            "inventory.yaml": Self.inventory, "p.yaml": policy, "d.yaml": Self.scenario4Deployment, "o.yaml": objects,
        ])
        let placed = try #require(plan[spoke: "cluster1"]).placements.map(\.ref.description)
        #expect(placed == ["Namespace/nginx", "Deployment.apps/default/nginx-singleton-deployment", "ClusterRole.rbac.authorization.k8s.io/reader"], "\(name)")
        #expect(fleet.workloads.count == 4, "the Lease is a workload KubeStellar never delivers")
        #expect(plan.warnings.count == 1, "\(name): \(plan.warnings)")
        let warning = try #require(plan.warnings.first)
        #expect(warning.kind == .clauseSelectsEverything && warning.policies == ["everything"] && warning.field == "spec.downsync[0]")
        #expect(warning.origin == SourceLocation(file: "p.yaml", line: 1))
        #expect(warning.description.hasPrefix("p.yaml:1: BindingPolicy/everything field spec.downsync[0]: clause selects every object"))
    }

    /// KubeStellar's CRD refuses a clause with no test field (`anyOf` of `required`); so does Flotilla.
    @Test(arguments: ["[{}]", "[{createOnly: true}]", "[{apiGroup: null, wantSingletonReportedState: true}]"])
    func aClauseWithoutATestIsStillRefused(_ downsync: String) throws {
        let policy = """
            apiVersion: control.kubestellar.io/v1alpha1
            kind: BindingPolicy
            metadata: {name: p}
            spec: {clusterSelectors: [{}], downsync: \(downsync)}
            """
        let errors = try TemporarySource(["p.yaml": policy]).errors()
        #expect(errors.contains { $0.field == "spec.downsync[0]" && $0.message.contains("no test") }, "\(errors)")
    }

    // MARK: 6. a singleton on more than one spoke

    @Test func aSingletonOnTwoSpokesIsAWarningNamingPolicyObjectAndSpokes() throws {
        let (fleet, plan) = try Self.load([
            "inventory.yaml": Self.inventory, "deployment.yaml": Self.scenario4Deployment,
            "policy.yaml": Self.scenario4Policy(clusterSelector: #"{"location-group":"edge"}"#),
        ])
        #expect(plan.spokes.allSatisfy { $0.payload != nil && $0.placements.count == 1 }, "a warning keeps no bundle back")
        #expect(plan.warnings.count == 1)
        let w = try #require(plan.warnings.first)
        #expect(w.kind == .singletonNotOnOneSpoke)
        #expect(w.policies == ["nginx-singleton-bpolicy"])
        #expect(w.object?.description == "Deployment.apps/default/nginx-singleton-deployment")
        #expect(w.spokes == ["cluster1", "cluster2"])
        #expect(w.origin == SourceLocation(file: "deployment.yaml", line: 1))
        #expect(w.message.contains("2 spokes: cluster1, cluster2") && w.message.contains("nginx-singleton-bpolicy"), "\(w.message)")
        let explained = try PlanRenderer(plan: plan, fleet: fleet).explain("Deployment/default/nginx-singleton-deployment")
        #expect(explained.contains("warning: singleton reported state is requested"), "\(explained)")
    }

    @Test func onlyPoliciesRequestingTheSingletonCountItsSpokes() throws {
        // KubeStellar's qualified WEC set: the spokes of the policies that request singleton
        // status. Another policy placing the object elsewhere does not make it two, but the
        // error would be reported in that policy's status too.
        let other = Self.scenario1Policy.replacingOccurrences(of: "nginx-bpolicy", with: "also-cluster2")
            .replacingOccurrences(of: #"{"location-group": "edge"}"#, with: "{name: cluster2}")
            .replacingOccurrences(of: #"{"app.kubernetes.io/name":"nginx"}"#, with: #"{"app.kubernetes.io/name":"nginx-singleton"}"#)
        let files = [
            "inventory.yaml": Self.inventory, "deployment.yaml": Self.scenario4Deployment, "policy.yaml": Self.scenario4Policy(),
            "other.yaml": other,
        ]
        let (_, plan) = try Self.load(files)
        #expect(plan[spoke: "cluster2"]?.placements.map(\.wantSingletonReportedState) == [false])
        #expect(plan.warnings.isEmpty, "\(plan.warnings)")

        var none = files
        none["policy.yaml"] = Self.scenario4Policy(clusterSelector: "{name: nowhere}")
        let (_, nowhere) = try Self.load(none)
        let w = try #require(nowhere.warnings.first)
        #expect(w.spokes.isEmpty && w.message.contains("is placed on no spoke"), "KubeStellar: the wrong number of WECs, 0")
        #expect(w.policies == ["also-cluster2", "nginx-singleton-bpolicy"], "every policy that selects the object")
    }

    // MARK: 7. plan -o json

    @Test func planJSONHasSingletonFailedSpokesAndWarnings() throws {
        let templated = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: where
              labels: {"app.kubernetes.io/name": "nginx-singleton"}
              annotations: {control.kubestellar.io/expand-templates: "true"}
            data: {city: "{{.city}}"}
            """
        let props = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cluster1, namespace: customization-properties}
            data: {city: Lyon}
            """
        let (fleet, plan) = try Self.load([
            "inventory.yaml": Self.inventory, "deployment.yaml": Self.scenario4Deployment, "where.yaml": templated,
            "props.yaml": props, "policy.yaml": Self.scenario4Policy(clusterSelector: #"{"location-group":"edge"}"#),
        ])
        let json = try PlanRenderer(plan: plan, fleet: fleet).jsonValue()
        // What `plan -o json` streams is the tree's canonical text, failed spokes included.
        #expect(try PlanRenderer(plan: plan, fleet: fleet).json() == json.canonicalJSON + [0x0A])
        let top = try #require(json.objectValue)
        #expect(top.keys.sorted() == ["failedSpokes", "spokes", "warnings"])
        let placement = try #require(top["spokes"]?.objectValue?["cluster1"]?.arrayValue?.first?.objectValue)
        #expect(placement["singleton"] == true && placement["createOnly"] == false)

        let failed = try #require(top["failedSpokes"]?.objectValue)
        #expect(failed.keys.sorted() == ["cluster2"], "cluster1 has the property, cluster2 does not")
        let failure = try #require(failed["cluster2"]?.arrayValue?.first?.objectValue)
        #expect(failure["kind"] == "ConfigMap" && failure["name"] == "where" && failure["namespace"] == "default")
        #expect(failure["file"] == "where.yaml" && failure["line"] == 1 && failure["field"]?.stringValue?.contains("data.city") == true)
        #expect(failure["property"] != nil && failure["message"]?.stringValue?.isEmpty == false)
        #expect(top["spokes"]?.objectValue?["cluster2"]?.arrayValue?.count == 2, "a failed spoke still shows what it would get")

        let warnings = try #require(top["warnings"]?.arrayValue)
        #expect(warnings.count == 2, "both objects are singletons on two spokes")
        let first = try #require(warnings.first?.objectValue)
        #expect(first["kind"] == "singletonNotOnOneSpoke" && first["policies"] == ["nginx-singleton-bpolicy"])
        #expect(first["spokes"] == ["cluster1", "cluster2"] && first["field"] == .null && first["file"] == "where.yaml")
        #expect(first["object"]?.objectValue?["name"] == "where")
    }
}
