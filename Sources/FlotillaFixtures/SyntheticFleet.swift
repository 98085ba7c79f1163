import FlotillaModel

/// A made-up but store-fleet-shaped source, for benchmarks and scale tests: the same arguments
/// always give the same fleet.
///
/// Shape: spokes `store-NNNNN` labelled by region (10), tier (4) and country (30), with a
/// `storeNumber` annotation and, for every tenth, a property ConfigMap; objects are spread over
/// one namespace per app (an app per 20 objects), each a Deployment, ConfigMap, Service or
/// Secret labelled with its app and a slot; every 50th object expands templates. Policies
/// target a region, a region and tier, a country, or (one in twenty) every tier but one, and
/// each places about four objects of one app, some create-only, some wanting singleton status.
public enum SyntheticFleet {
    public static func make(spokes spokeCount: Int, objects objectCount: Int, policies policyCount: Int) -> FleetSource {
        var fleet = FleetSource()
        let apps = max(1, objectCount / 20)
        for i in 0..<spokeCount {
            let name = "store-" + pad(i, 5)
            var spoke = Spoke(
                name: name,
                labels: [
                    "region": "r\(i % 10)", "tier": "t\(i / 10 % 4)", "country": "c\(i * 7 % 30)",
                    "fleet": "retail",
                ],
                annotations: ["storeNumber": String(i), "example.com/owner": "ops"],
                origin: SourceLocation(file: "inventory/spokes.yaml", line: 1 + i * 8))
            if i % 10 == 0 { spoke.properties = ["greeting": "hello from \(name)"] }
            fleet.spokes.append(spoke)
        }
        for a in 0..<min(apps, objectCount) {
            let ns = "app-\(a)"
            fleet.namespaceLabels[ns] = ["team": "team-\(a % 7)"]
            fleet.workloads.append(
                object(
                    apiVersion: "v1", kind: "Namespace", namespace: "", name: ns, labels: ["team": .string("team-\(a % 7)")],
                    body: [:], line: 1 + a * 6))
        }
        let kinds: [(String, String)] = [("apps/v1", "Deployment"), ("v1", "ConfigMap"), ("v1", "Service"), ("v1", "Secret")]
        for i in 0..<max(0, objectCount - apps) {
            let app = i % apps
            let slot = i / apps
            let (apiVersion, kind) = kinds[i % kinds.count]
            let name = "obj-\(i)"
            var labels: [String: Value] = ["app": .string("app-\(app)"), "slot": .string("s\(slot)")]
            var annotations: [String: Value] = [:]
            var body: [String: Value]
            switch kind {
            case "Deployment":
                body = [
                    "spec": [
                        "replicas": .int(Int64(1 + i % 3)),
                        "selector": ["matchLabels": ["app": .string("app-\(app)")]],
                        "template": [
                            "metadata": ["labels": ["app": .string("app-\(app)")]],
                            "spec": [
                                "containers": [
                                    [
                                        "name": "main", "image": .string("registry.example.com/app-\(app):1.\(i % 9)"),
                                        "ports": [["containerPort": 8080]],
                                    ]
                                ]
                            ],
                        ],
                    ],
                    "status": ["replicas": 1],
                ]
            case "Service":
                body = ["spec": ["clusterIP": .string("10.0.0.\(i % 250)"), "ports": [["port": 80, "nodePort": .int(Int64(30000 + i % 2000))]]]]
            case "Secret":
                body = ["type": "Opaque", "data": ["token": .string("c2VjcmV0LXRva2VuLQ==")]]
            default:
                body = ["data": ["setting": .string("value-\(i)"), "mode": "store"]]
            }
            if i % 50 == 7 {
                annotations[TemplateExpander.annotation] = "true"
                body = ["data": ["store": "{{.clusterName}}", "region": "{{ .region }}", "number": "{{.storeNumber}}"]]
                labels["templated"] = "yes"
            }
            var obj = object(
                apiVersion: kind == "Deployment" || kind == "Service" || kind == "Secret" ? apiVersion : "v1",
                kind: i % 50 == 7 ? "ConfigMap" : kind, namespace: "app-\(app)", name: name, labels: labels, body: body,
                line: 1 + i * 12)
            if !annotations.isEmpty {
                obj.tree["metadata"] = .object(
                    obj.tree["metadata"]!.objectValue!.merging(["annotations": .object(annotations)]) { $1 })
            }
            fleet.workloads.append(obj)
        }
        let slots = max(1, (objectCount - apps + apps - 1) / apps)
        for p in 0..<policyCount {
            let selector: LabelSelector
            switch p % 20 == 3 ? 3 : p % 3 {
            case 0: selector = LabelSelector(matchLabels: ["region": "r\(p / 3 % 10)"])
            case 1:
                selector = LabelSelector(matchExpressions: [
                    .init(key: "region", op: .in, values: ["r\(p % 10)"]), .init(key: "tier", op: .in, values: ["t\(p / 10 % 4)"]),
                ])
            case 2: selector = LabelSelector(matchLabels: ["country": "c\(p % 30)"])
            default:
                selector = LabelSelector(matchExpressions: [
                    .init(key: "fleet", op: .exists), .init(key: "tier", op: .notIn, values: ["t\(p % 4)"]),
                ])
            }
            let app = p % apps
            let firstSlot = (p / apps * 4) % slots
            let clause = DownsyncClause(
                namespaces: ["app-\(app)"],
                objectSelectors: [
                    LabelSelector(matchExpressions: [
                        .init(key: "slot", op: .in, values: Set((firstSlot..<firstSlot + 4).map { "s\($0 % slots)" }))
                    ])
                ],
                createOnly: p % 7 == 0, wantSingletonReportedState: p % 11 == 0)
            fleet.policies.append(
                BindingPolicy(
                    name: "policy-" + pad(p, 4), clusterSelectors: [selector], downsync: [clause],
                    origin: SourceLocation(file: "policies/policy-\(p).yaml", line: 1)))
        }
        fleet.workloads.sort { $0.ref < $1.ref }
        return fleet
    }

    static func object(
        apiVersion: String, kind: String, namespace: String, name: String, labels: [String: Value], body: [String: Value],
        line: Int
    ) -> ManifestObject {
        var metadata: [String: Value] = ["name": .string(name), "labels": .object(labels), "uid": .string("0f1e2d3c-\(line)")]
        if !namespace.isEmpty { metadata["namespace"] = .string(namespace) }
        var tree = body
        tree["apiVersion"] = .string(apiVersion)
        tree["kind"] = .string(kind)
        tree["metadata"] = .object(metadata)
        return ManifestObject(
            ref: ObjectRef(apiVersion: apiVersion, kind: kind, namespace: namespace, name: name), tree: tree,
            origin: SourceLocation(file: "workloads/\(namespace.isEmpty ? "namespaces" : namespace).yaml", line: line))
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }
}
