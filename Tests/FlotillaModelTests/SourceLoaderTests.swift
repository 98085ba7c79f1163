import FlotillaModel
import FlotillaSource
import Foundation
import Testing

struct SourceLoaderTests {
    static let fleetYAML: [String: String] = [
        "inventory/spokes.yaml": """
            apiVersion: cluster.open-cluster-management.io/v1
            kind: ManagedCluster
            metadata:
              name: store-1
              labels: {region: eu, tier: gold}
              annotations: {country: fr}
            ---
            apiVersion: flotilla.io/v1alpha1
            kind: Spoke
            metadata:
              name: store-2
              labels: {region: us}
            """,
        "inventory/props.yaml": """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: store-1, namespace: customization-properties}
            data: {greeting: bonjour}
            binaryData: {motto: c2FsdXQ=}
            """,
        "policies/eu.yaml": """
            apiVersion: control.kubestellar.io/v1alpha1
            kind: BindingPolicy
            metadata: {name: eu}
            spec:
              clusterSelectors:
              - matchLabels: {region: eu}
              downsync:
              - objectSelectors:
                - matchLabels: {app: web}
            """,
        "policies/strip.yaml": """
            apiVersion: control.kubestellar.io/v1alpha1
            kind: CustomTransform
            metadata: {name: strip}
            spec: {apiGroup: apps, resource: deployments, remove: ["$.spec.replicas"]}
            """,
        "workloads/web.yaml": """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop, labels: {app: web}}
            spec: {replicas: 3}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: shop, labels: {team: retail}}
            """,
    ]

    @Test func classifiesInventoryPoliciesTransformsAndWorkloads() throws {
        let source = try TemporarySource(Self.fleetYAML)
        let fleet = try source.loader.loadFleet()
        #expect(fleet.spokes.map(\.name) == ["store-1", "store-2"])
        #expect(fleet.spokes[0].labels == ["region": "eu", "tier": "gold"])
        #expect(fleet.spokes[0].annotations == ["country": "fr"])
        #expect(fleet.spokes[0].properties == ["greeting": "bonjour", "motto": "salut"])
        #expect(fleet.spokes[0].origin == SourceLocation(file: "inventory/spokes.yaml", line: 1))
        #expect(fleet.spokes[1].origin.line == 8)
        #expect(fleet.policies.map(\.name) == ["eu"])
        #expect(fleet.customTransforms.map(\.name) == ["strip"])
        #expect(fleet.workloads.map(\.ref.name) == ["shop", "web"])
        #expect(fleet.namespaceLabels == ["shop": ["team": "retail"]])
    }

    @Test func twoLoadsGiveTheSameBytes() throws {
        let source = try TemporarySource(Self.fleetYAML)
        let first = Planner.plan(try source.loader.loadFleet())
        let second = Planner.plan(try source.loader.loadFleet())
        #expect(first.spokes.map(\.payload) == second.spokes.map(\.payload))
        #expect(first.spokes.map(\.hash) == second.spokes.map(\.hash))
        let bundle = try #require(first[spoke: "store-1"]?.payload)
        let text = String(decoding: bundle, as: UTF8.self)
        #expect(text.contains(#""name":"web""#))
        #expect(!text.contains("replicas"), "the CustomTransform removed spec.replicas")
        #expect(first[spoke: "store-2"]?.placements.isEmpty == true)
    }

    @Test func reorderedKeysAndFilesGiveTheSameBytes() throws {
        let a = try TemporarySource(Self.fleetYAML)
        var reordered = Self.fleetYAML
        reordered["workloads/web.yaml"] = """
            kind: Namespace
            metadata: {labels: {team: retail}, name: shop}
            apiVersion: v1
            ---
            spec: {replicas: 3}
            metadata: {labels: {app: web}, namespace: shop, name: web}
            kind: Deployment
            apiVersion: apps/v1
            """
        let b = try TemporarySource(reordered)
        #expect(Planner.plan(try a.loader.loadFleet())[spoke: "store-1"]?.hash == Planner.plan(try b.loader.loadFleet())[spoke: "store-1"]?.hash)
    }

    /// (case, file contents, file, line, object, field, message fragment)
    static let errorCases: [(String, String, Int, String, String, String)] = [
        (
            "missing kind", "apiVersion: v1\nmetadata: {name: x}\n", 1, "object", "kind", "required"
        ),
        (
            "missing name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", 1, "ConfigMap", "metadata.name", "required"
        ),
        (
            "unquoted label number", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {n: 1}}\n", 1, "ConfigMap/c",
            "metadata.labels.n", "quote"
        ),
        (
            "bad operator on line 3",
            "# policies\n\napiVersion: control.kubestellar.io/v1alpha1\nkind: BindingPolicy\nmetadata: {name: p}\nspec:\n  clusterSelectors:\n  - matchExpressions: [{key: a, operator: Inn, values: [b]}]\n  downsync: [{objectNames: [x]}]\n",
            3, "BindingPolicy/p", "spec.clusterSelectors[0].matchExpressions[0].operator", "Inn"
        ),
        (
            "selector not a map",
            "apiVersion: control.kubestellar.io/v1alpha1\nkind: BindingPolicy\nmetadata: {name: p}\nspec:\n  clusterSelectors: [region=eu]\n",
            1, "BindingPolicy/p", "spec.clusterSelectors[0]", "must be a map"
        ),
        (
            "unknown spec field",
            "apiVersion: control.kubestellar.io/v1alpha1\nkind: BindingPolicy\nmetadata: {name: p}\nspec: {clusterSelector: []}\n",
            1, "BindingPolicy/p", "spec.clusterSelector", "unknown field"
        ),
        (
            "spec-level singleton not a bool",
            "apiVersion: control.kubestellar.io/v1alpha1\nkind: BindingPolicy\nmetadata: {name: p}\nspec: {wantSingletonReportedState: maybe}\n",
            1, "BindingPolicy/p", "spec.wantSingletonReportedState", "true or false"
        ),
        (
            "empty clause",
            "apiVersion: control.kubestellar.io/v1alpha1\nkind: BindingPolicy\nmetadata: {name: p}\nspec: {downsync: [{createOnly: true}]}\n",
            1, "BindingPolicy/p", "spec.downsync[0]", "no test"
        ),
        (
            "spoke name with dot", "apiVersion: flotilla.io/v1alpha1\nkind: Spoke\nmetadata: {name: store.1}\n", 1,
            "Spoke.flotilla.io/store.1", "metadata.name", "DNS-1123"
        ),
        (
            "spoke name with plus", "apiVersion: cluster.open-cluster-management.io/v1\nkind: ManagedCluster\nmetadata: {name: a+b}\n", 1,
            "ManagedCluster.cluster.open-cluster-management.io/a+b", "metadata.name", "MQTT"
        ),
        (
            "uppercase spoke name", "apiVersion: flotilla.io/v1alpha1\nkind: Spoke\nmetadata: {name: Store}\n", 1,
            "Spoke.flotilla.io/Store", "metadata.name", "DNS-1123"
        ),
        (
            "bad JSONPath",
            "apiVersion: control.kubestellar.io/v1alpha1\nkind: CustomTransform\nmetadata: {name: t}\nspec: {apiGroup: apps, resource: deployments, remove: ['$.spec.x[*]']}\n",
            1, "CustomTransform/t", "spec.remove[0]", "JSONPath"
        ),
        (
            "transform without resource",
            "apiVersion: control.kubestellar.io/v1alpha1\nkind: CustomTransform\nmetadata: {name: t}\nspec: {apiGroup: apps}\n",
            1, "CustomTransform/t", "spec.resource", "required"
        ),
        (
            "property not a string",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s, namespace: customization-properties}\ndata: {n: 1}\n", 1,
            "ConfigMap/customization-properties/s", "data.n", "string"
        ),
        (
            "property binaryData not base64",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s, namespace: customization-properties}\nbinaryData: {n: '%%%'}\n", 1,
            "ConfigMap/customization-properties/s", "binaryData.n", "base64"
        ),
        (
            "CRD without plural",
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x.example.com}\nspec: {group: example.com, names: {kind: X}}\n",
            1, "CustomResourceDefinition.apiextensions.k8s.io/x.example.com", "spec", "plural"
        ),
        (
            "name that climbs out of a directory",
            "# a workload\n\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x/../../../canary/escaped\n  namespace: shop\n", 3,
            "ConfigMap/shop/x/../../../canary/escaped", "metadata.name", "DNS-1123 subdomain"
        ),
        (
            "uppercase name", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: Web, namespace: shop}\n", 1,
            "Deployment.apps/shop/Web", "metadata.name", "lowercase"
        ),
        (
            "namespace with a dot", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web, namespace: shop.eu}\n", 1,
            "ConfigMap/shop.eu/web", "metadata.namespace", "DNS-1123 label"
        ),
        (
            "name with a newline", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"a\\nb\", namespace: shop}\n", 1,
            "ConfigMap/shop/a\\nb", "metadata.name", "\"a\\nb\""
        ),
        (
            "Namespace named with a dot", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop.eu}\n", 1,
            "Namespace/shop.eu", "metadata.name", "DNS-1123 label"
        ),
        (
            "Service name starting with a digit", "apiVersion: v1\nkind: Service\nmetadata: {name: 1web, namespace: shop}\n", 1,
            "Service/shop/1web", "metadata.name", "DNS-1035 label"
        ),
        (
            "RBAC name with a slash", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: \"a/b\"}\n", 1,
            "ClusterRole.rbac.authorization.k8s.io/a/b", "metadata.name", "'/'"
        ),
        (
            "CronJob name too long for its Jobs", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: \(String(repeating: "c", count: 53)), namespace: shop}\n", 1,
            "CronJob.batch/shop/\(String(repeating: "c", count: 53))", "metadata.name", "52"
        ),
    ]

    @Test(arguments: errorCases)
    func validationErrorNamesFileLineObjectAndField(
        _ name: String, _ text: String, _ line: Int, _ object: String, _ field: String, _ message: String
    ) throws {
        let source = try TemporarySource(["dir/bad.yaml": text])
        let errors = source.errors()
        #expect(
            errors.contains {
                $0.location == SourceLocation(file: "dir/bad.yaml", line: line) && $0.object == object && $0.field == field
                    && $0.message.contains(message)
            }, "\(name): \(errors)")
        let rendered = errors.map(\.description).joined()
        #expect(rendered.contains("dir/bad.yaml:\(line)") && rendered.contains(field), "\(name)")
    }

    @Test func namesAreCheckedByTheRuleOfTheirKind() throws {
        let source = try TemporarySource([
            "rbac.yaml": """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRole
                metadata: {name: "system:aggregate-to-admin"}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: "Ops:Admins", namespace: shop}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: web.config-1, namespace: shop}
                ---
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: a.b-c, namespace: shop}
                """
        ])
        #expect(source.errors() == [])
        let fleet = try source.loader.loadFleet()
        #expect(fleet.workloads.map(\.ref.name) == ["web.config-1", "a.b-c", "system:aggregate-to-admin", "Ops:Admins"])
    }

    @Test func duplicatesNameBothPlaces() throws {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: n}\n"
        let source = try TemporarySource(["a.yaml": cm, "b.yaml": "# the same object again\n\n" + cm])
        let errors = source.errors()
        #expect(errors.count == 1)
        #expect(errors.first?.location == SourceLocation(file: "b.yaml", line: 3))
        #expect(errors.first?.message.contains("a.yaml:1") == true)
    }

    @Test func everyErrorIsCollected() throws {
        let source = try TemporarySource([
            "a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
            "b.yaml": "apiVersion: flotilla.io/v1alpha1\nkind: Spoke\nmetadata: {name: Bad_Name}\n",
            "c.yaml": "apiVersion: control.kubestellar.io/v1alpha1\nkind: BindingPolicy\nmetadata: {name: p}\nspec: {downsync: [{}], clusterSelectors: [{matchLabels: {a: [1]}}]}\n",
        ])
        let errors = source.errors()
        // The first file fails parsing, so classification never sees the others: both passes must run.
        #expect(errors.map(\.location.file).contains("a.yaml"))
        let second = try TemporarySource([
            "b.yaml": "apiVersion: flotilla.io/v1alpha1\nkind: Spoke\nmetadata: {name: Bad_Name}\n",
            "c.yaml": "apiVersion: control.kubestellar.io/v1alpha1\nkind: BindingPolicy\nmetadata: {name: p}\nspec: {downsync: [{}], clusterSelectors: [{matchLabels: {a: [1]}}]}\n",
        ])
        let all = second.errors()
        #expect(Set(all.map(\.field)) == ["metadata.name", "spec.downsync[0]", "spec.clusterSelectors[0].matchLabels.a"])
    }

    @Test func yamlSyntaxErrorNamesTheLine() throws {
        let source = try TemporarySource(["broken.yaml": "apiVersion: v1\nkind: [unclosed\n"])
        let errors = source.errors()
        #expect(errors.count == 1)
        #expect(errors.first?.location.file == "broken.yaml")
        #expect((errors.first?.location.line ?? 0) >= 2)
    }

    @Test func inventoryAndPoliciesNeverBecomeWorkloads() throws {
        let source = try TemporarySource(Self.fleetYAML)
        let fleet = try source.loader.loadFleet()
        let kinds = Set(fleet.workloads.map(\.ref.kind))
        #expect(kinds.isDisjoint(with: ["ManagedCluster", "Spoke", "BindingPolicy", "CustomTransform"]))
        #expect(!fleet.workloads.contains { $0.ref.namespace == FleetSource.propertiesNamespace })
    }
}
