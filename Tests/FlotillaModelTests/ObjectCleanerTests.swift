import FlotillaModel
import Testing

struct ObjectCleanerTests {
    @Test func removesServerPopulatedMetadataAndStatus() {
        let tree: [String: Value] = [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": [
                "name": "c", "namespace": "n", "uid": "u", "resourceVersion": "1", "generation": 2,
                "creationTimestamp": "t", "managedFields": [[:]], "selfLink": "/x", "ownerReferences": [[:]],
                "finalizers": ["f"], "generateName": "c-", "labels": ["keep": "me"],
                "annotations": ["kubectl.kubernetes.io/last-applied-configuration": "{}", "keep": "me"],
            ],
            "data": ["k": "v"], "status": ["x": 1],
        ]
        let ref = ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "n", name: "c")
        let cleaned = ObjectCleaner.clean(tree, ref: ref)
        #expect(
            cleaned == [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": ["name": "c", "namespace": "n", "labels": ["keep": "me"], "annotations": ["keep": "me"]],
                "data": ["k": "v"],
            ])
    }

    static func service(clusterIP: Value?, clusterIPs: Value?, preserve: Bool) -> [String: Value] {
        var spec: [String: Value] = [
            "ports": [["port": 80, "nodePort": 30080]], "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
            "internalTrafficPolicy": "Cluster", "externalTrafficPolicy": "Cluster", "sessionAffinity": "None",
            "type": "NodePort",
        ]
        spec["clusterIP"] = clusterIP
        spec["clusterIPs"] = clusterIPs
        var meta: [String: Value] = ["name": "s", "namespace": "n"]
        if preserve { meta["annotations"] = ["control.kubestellar.io/preserve": "nodeport"] }
        return ["apiVersion": "v1", "kind": "Service", "metadata": .object(meta), "spec": .object(spec)]
    }

    /// (case, clusterIP, clusterIPs, preserve annotation, expected clusterIP, expected clusterIPs, nodePort kept)
    static let serviceCases: [(String, Value?, Value?, Bool, Value?, Value?, Bool)] = [
        ("allocated IP removed", "10.0.0.1", ["10.0.0.1"], false, nil, nil, false),
        ("headless kept", "None", ["None"], false, "None", ["None"], false),
        ("nodePort preserved", "10.0.0.1", nil, true, nil, nil, true),
        ("mixed list keeps only None", nil, ["10.0.0.1", "None"], false, nil, ["None"], false),
    ]

    @Test(arguments: serviceCases)
    func cleansServices(
        _ name: String, _ ip: Value?, _ ips: Value?, _ preserve: Bool, _ wantIP: Value?, _ wantIPs: Value?, _ keepsNodePort: Bool
    ) {
        let ref = ObjectRef(apiVersion: "v1", kind: "Service", namespace: "n", name: "s")
        let spec = ObjectCleaner.clean(Self.service(clusterIP: ip, clusterIPs: ips, preserve: preserve), ref: ref)["spec"]!.objectValue!
        #expect(spec["clusterIP"] == wantIP, "\(name)")
        #expect(spec["clusterIPs"] == wantIPs, "\(name)")
        for f in ["ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy", "externalTrafficPolicy", "sessionAffinity"] {
            #expect(spec[f] == nil, "\(name): \(f)")
        }
        #expect(spec["type"] == "NodePort")
        let port = spec["ports"]!.arrayValue![0].objectValue!
        #expect((port["nodePort"] != nil) == keepsNodePort, "\(name)")
        #expect(port["port"] == 80)
    }

    @Test func serviceOfAnotherGroupIsLeftAlone() {
        let ref = ObjectRef(apiVersion: "example.com/v1", kind: "Service", namespace: "n", name: "s")
        var tree = Self.service(clusterIP: "10.0.0.1", clusterIPs: nil, preserve: false)
        tree["apiVersion"] = "example.com/v1"
        #expect(ObjectCleaner.clean(tree, ref: ref)["spec"]?.objectValue?["clusterIP"] == "10.0.0.1")
    }

    @Test func cleansJobs() {
        let uid: [String: Value] = ["controller-uid": "1", "batch.kubernetes.io/controller-uid": "1", "job-name": "j"]
        let tree: [String: Value] = [
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": [
                "name": "j", "namespace": "n", "labels": .object(uid),
                "annotations": ["batch.kubernetes.io/job-tracking": "", "keep": "x"],
            ],
            "spec": [
                "selector": ["matchLabels": .object(uid)], "suspend": false, "backoffLimit": 2,
                "template": ["metadata": ["labels": .object(uid)], "spec": ["restartPolicy": "Never"]],
            ],
        ]
        let ref = ObjectRef(apiVersion: "batch/v1", kind: "Job", namespace: "n", name: "j")
        let cleaned = ObjectCleaner.clean(tree, ref: ref)
        #expect(cleaned["metadata"]?.objectValue?["labels"] == ["job-name": "j"])
        #expect(cleaned["metadata"]?.objectValue?["annotations"] == ["keep": "x"])
        #expect(
            cleaned["spec"] == [
                "backoffLimit": 2, "template": ["metadata": ["labels": ["job-name": "j"]], "spec": ["restartPolicy": "Never"]],
            ])
    }

    static let paths: [(String, [String]?)] = [
        ("$.spec.template.spec.nodeSelector", ["spec", "template", "spec", "nodeSelector"]),
        ("$.metadata.annotations[\"example.com/x\"]", ["metadata", "annotations", "example.com/x"]),
        ("$[\"a\\\"b\"].c", ["a\"b", "c"]),
        ("$", nil),
        ("spec.x", nil),
        ("$.spec.containers[*].image", nil),
        ("$.spec.containers[0]", nil),
        ("$.spec. x", nil),
        ("$['single']", nil),
        ("$[\"open", nil),
    ]

    @Test(arguments: paths)
    func parsesKubeStellarsJSONPathSubset(_ text: String, _ members: [String]?) {
        let parsed = try? JSONPathQuery(text)
        #expect(parsed?.members == members, "\(text)")
    }

    @Test func customTransformRemovesPathsOfMatchingResourceOnly() throws {
        let transform = CustomTransform(
            name: "t", apiGroup: "apps", resource: "deployments",
            remove: [try JSONPathQuery("$.spec.template.spec.nodeSelector"), try JSONPathQuery("$.metadata.annotations[\"x\"]"),
                     try JSONPathQuery("$.spec.absent.deeper")])
        let tree: [String: Value] = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "d", "annotations": ["x": "1", "y": "2"]],
            "spec": ["template": ["spec": ["nodeSelector": ["a": "b"], "containers": []]]],
        ]
        let ref = ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "", name: "d")
        let out = ObjectCleaner.clean(tree, ref: ref, resource: "deployments", transforms: [transform])
        #expect(out["metadata"]?.objectValue?["annotations"] == ["y": "2"])
        #expect(out["spec"] == ["template": ["spec": ["containers": []]]])
        let other = ObjectCleaner.clean(tree, ref: ref, resource: "statefulsets", transforms: [transform])
        #expect(other["spec"] == tree["spec"])
    }
}
