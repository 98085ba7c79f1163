import FlotillaModel
import Testing

struct DownsyncClauseTests {
    static let deployment = Fixture.object("apps/v1", "Deployment", "shop", "web", labels: ["app": "web"])
    static let configMap = Fixture.object("v1", "ConfigMap", "shop", "settings", labels: ["app": "web"])
    static let clusterRole = Fixture.object("rbac.authorization.k8s.io/v1", "ClusterRole", "", "reader")
    static let shopLabels: [String: String] = ["team": "retail"]

    /// (case, clause, object, its resource, labels of its Namespace (nil: none), expected)
    static let cases: [(String, DownsyncClause, ManifestObject, String, [String: String]?, Bool)] = [
        ("apiGroup absent matches any group", DownsyncClause(objectNames: ["web"]), deployment, "deployments", shopLabels, true),
        ("apiGroup equal", DownsyncClause(apiGroup: "apps"), deployment, "deployments", shopLabels, true),
        ("apiGroup other", DownsyncClause(apiGroup: "batch"), deployment, "deployments", shopLabels, false),
        ("apiGroup \"\" is core, not apps", DownsyncClause(apiGroup: ""), deployment, "deployments", shopLabels, false),
        ("apiGroup \"\" matches core", DownsyncClause(apiGroup: ""), configMap, "configmaps", shopLabels, true),
        ("resources listed", DownsyncClause(resources: ["configmaps", "deployments"]), deployment, "deployments", shopLabels, true),
        ("resources not listed", DownsyncClause(resources: ["configmaps"]), deployment, "deployments", shopLabels, false),
        ("resources star", DownsyncClause(apiGroup: "apps", resources: ["*"]), deployment, "deployments", shopLabels, true),
        ("resources empty = all", DownsyncClause(apiGroup: "apps", resources: []), deployment, "deployments", shopLabels, true),
        ("namespaces listed", DownsyncClause(namespaces: ["shop"]), deployment, "deployments", shopLabels, true),
        ("namespaces other", DownsyncClause(namespaces: ["bank"]), deployment, "deployments", shopLabels, false),
        ("namespaces star", DownsyncClause(namespaces: ["*"]), deployment, "deployments", shopLabels, true),
        ("cluster-scoped fails a namespace list", DownsyncClause(namespaces: ["shop"]), clusterRole, "clusterroles", nil, false),
        ("cluster-scoped passes namespaces star", DownsyncClause(namespaces: ["*"]), clusterRole, "clusterroles", nil, true),
        ("cluster-scoped passes empty namespaces", DownsyncClause(apiGroup: "rbac.authorization.k8s.io"), clusterRole, "clusterroles", nil, true),
        ("namespaceSelectors match", DownsyncClause(namespaceSelectors: [LabelSelector(matchLabels: ["team": "retail"])]), deployment, "deployments", shopLabels, true),
        ("namespaceSelectors no match", DownsyncClause(namespaceSelectors: [LabelSelector(matchLabels: ["team": "bank"])]), deployment, "deployments", shopLabels, false),
        ("namespaceSelectors any of", DownsyncClause(namespaceSelectors: [LabelSelector(matchLabels: ["team": "bank"]), LabelSelector(matchLabels: ["team": "retail"])]), deployment, "deployments", shopLabels, true),
        ("namespace without Namespace object fails", DownsyncClause(namespaceSelectors: [LabelSelector(matchExpressions: [.init(key: "x", op: .doesNotExist)])]), deployment, "deployments", nil, false),
        ("cluster-scoped fails non-empty namespace selector", DownsyncClause(namespaceSelectors: [LabelSelector(matchExpressions: [.init(key: "x", op: .doesNotExist)])]), clusterRole, "clusterroles", nil, false),
        ("cluster-scoped passes {} namespace selector", DownsyncClause(namespaceSelectors: [LabelSelector(matchLabels: ["a": "b"]), LabelSelector()], objectNames: ["reader"]), clusterRole, "clusterroles", nil, true),
        ("objectNames listed", DownsyncClause(objectNames: ["web", "api"]), deployment, "deployments", shopLabels, true),
        ("objectNames other", DownsyncClause(objectNames: ["api"]), deployment, "deployments", shopLabels, false),
        ("objectNames star", DownsyncClause(apiGroup: "apps", objectNames: ["*"]), deployment, "deployments", shopLabels, true),
        ("objectSelectors match", DownsyncClause(objectSelectors: [LabelSelector(matchLabels: ["app": "web"])]), deployment, "deployments", shopLabels, true),
        ("objectSelectors no match", DownsyncClause(objectSelectors: [LabelSelector(matchLabels: ["app": "db"])]), deployment, "deployments", shopLabels, false),
        ("all tests ANDed", DownsyncClause(apiGroup: "apps", resources: ["deployments"], namespaces: ["shop"], objectNames: ["web"], objectSelectors: [LabelSelector(matchLabels: ["app": "db"])]), deployment, "deployments", shopLabels, false),
    ]

    @Test(arguments: cases)
    func matches(_ name: String, _ clause: DownsyncClause, _ object: ManifestObject, _ resource: String, _ nsLabels: [String: String]?, _ expected: Bool) {
        #expect(clause.matches(object, resource: resource, namespaceLabels: nsLabels) == expected, "\(name)")
    }

    @Test func firstFailureNamesTheTest() throws {
        let clause = DownsyncClause(apiGroup: "apps", namespaces: ["bank"])
        let failure = try #require(clause.firstFailure(Self.deployment, resource: "deployments", namespaceLabels: nil))
        #expect(failure.test == .namespaces)
        #expect(failure.reason.contains("shop"))
    }

    /// (case, clause YAML as a tree, field that must be named, message fragment)
    static let parseErrors: [(String, Value, String, String)] = [
        ("empty clause", [:], "spec.downsync[0]", "no test"),
        ("only createOnly", ["createOnly": true], "spec.downsync[0]", "no test"),
        ("apiGroup star", ["apiGroup": "*"], "spec.downsync[0].apiGroup", "not a wildcard"),
        ("apiGroup not a string", ["apiGroup": 3], "spec.downsync[0].apiGroup", "must be a string"),
        ("uppercase resource", ["resources": ["Deployments"]], "spec.downsync[0].resources[0]", "lowercase plural"),
        ("star with others", ["objectNames": ["*", "a"]], "spec.downsync[0].objectNames", "only entry"),
        ("resources not a list", ["resources": "deployments"], "spec.downsync[0].resources", "must be a list"),
        ("non-string name", ["objectNames": [1]], "spec.downsync[0].objectNames[0]", "non-empty string"),
        ("unknown field", ["objectName": ["a"]], "spec.downsync[0].objectName", "unknown field"),
        ("createOnly not a bool", ["objectNames": ["a"], "createOnly": "yes"], "spec.downsync[0].createOnly", "true or false"),
        ("selector not a map", ["objectSelectors": ["app=web"]], "spec.downsync[0].objectSelectors[0]", "must be a map"),
        ("bad operator", ["namespaceSelectors": [["matchExpressions": [["key": "a", "operator": "Inn", "values": ["b"]]]]]], "spec.downsync[0].namespaceSelectors[0].matchExpressions[0].operator", "Inn"),
        ("clause not a map", "everything", "spec.downsync[0]", "must be a map"),
    ]

    @Test(arguments: parseErrors)
    func parseError(_ name: String, _ clause: Value, _ field: String, _ message: String) {
        let policy = Fixture.object(
            "control.kubestellar.io/v1alpha1", "BindingPolicy", "", "p",
            body: ["spec": ["clusterSelectors": [[:]], "downsync": [clause]]])
        var errors: [SourceError] = []
        #expect(BindingPolicy.parse(policy, errors: &errors) == nil, "\(name)")
        #expect(
            errors.contains { $0.field == field && $0.message.contains(message) && $0.object == "BindingPolicy/p" && $0.location.file == "test.yaml" },
            "\(name): \(errors)")
    }

    /// Until the issue "KubeStellar YAML as-is, round two", `parseError` refused these as "clause
    /// matches every object"; KubeStellar accepts them and selects every object with them.
    static let selectEverything: [(String, Value)] = [
        ("only wildcards", ["resources": ["*"], "namespaces": ["*"]]),
        ("resources star", ["resources": ["*"]]),
        ("empty namespace selector", ["namespaceSelectors": [[:]]]),
        ("namespaces and names star", ["namespaces": ["*"], "objectNames": ["*"]]),
        ("an empty selector among others", ["objectSelectors": [["matchLabels": ["a": "b"]], [:]]]),
    ]

    @Test(arguments: selectEverything)
    func clausesThatDoNotDiscriminateParseAndSelectEverything(_ name: String, _ clause: Value) throws {
        let policy = Fixture.object(
            "control.kubestellar.io/v1alpha1", "BindingPolicy", "", "p",
            body: ["spec": ["clusterSelectors": [[:]], "downsync": [clause]]])
        var errors: [SourceError] = []
        let parsed = try #require(BindingPolicy.parse(policy, errors: &errors), "\(name): \(errors)")
        #expect(errors.isEmpty)
        let only = try #require(parsed.downsync.first)
        #expect(only.selectsEverything, "\(name)")
        for (object, resource) in [(Self.deployment, "deployments"), (Self.configMap, "configmaps"), (Self.clusterRole, "clusterroles")] {
            #expect(only.matches(object, resource: resource, namespaceLabels: nil), "\(name): \(object.ref)")
        }
        #expect(!DownsyncClause(namespaces: ["shop"]).selectsEverything && !DownsyncClause(apiGroup: "").selectsEverything)
    }

    @Test func parsesEveryFieldAndModulation() throws {
        let policy = Fixture.object(
            "control.kubestellar.io/v1alpha1", "BindingPolicy", "", "p",
            body: [
                "spec": [
                    "clusterSelectors": [["matchLabels": ["region": "eu"]]],
                    "wantSingletonReportedState": true,
                    "downsync": [
                        [
                            "apiGroup": "", "resources": ["configmaps"], "namespaces": ["a"], "objectNames": ["x"],
                            "namespaceSelectors": [[:]], "objectSelectors": [["matchLabels": ["k": "v"]]],
                            "createOnly": true, "wantSingletonReportedState": false, "wantMultiWECReportedState": false,
                            "statusCollectors": ["c"],
                        ]
                    ],
                ]
            ])
        var errors: [SourceError] = []
        let parsed = try #require(BindingPolicy.parse(policy, errors: &errors))
        #expect(errors.isEmpty)
        #expect(parsed.wantSingletonReportedState)
        #expect(
            parsed.downsync == [
                DownsyncClause(
                    apiGroup: "", resources: ["configmaps"], namespaces: ["a"], namespaceSelectors: [LabelSelector()],
                    objectNames: ["x"], objectSelectors: [LabelSelector(matchLabels: ["k": "v"])], createOnly: true,
                    statusCollectors: ["c"])
            ])
    }
}
