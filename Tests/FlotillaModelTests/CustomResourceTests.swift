import FlotillaModel
import FlotillaSource
import Foundation
import Testing

/// Downsync `resources` of custom kinds take their plural from the CRD in the source.
struct CustomResourceTests {
    static let files: [String: String] = [
        "crd.yaml": """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: gadgetry.example.com
            spec:
              group: example.com
              scope: Namespaced
              names:
                kind: Gadget
                plural: gadgetry
              versions:
              - name: v1
                served: true
                storage: true
            """,
        "gadget.yaml": """
            apiVersion: example.com/v1
            kind: Gadget
            metadata:
              name: g1
              namespace: lab
            """,
        "spoke.yaml": """
            apiVersion: flotilla.io/v1alpha1
            kind: Spoke
            metadata:
              name: s1
              labels: {site: lab}
            """,
    ]

    static func policy(_ resource: String) -> String {
        """
        apiVersion: control.kubestellar.io/v1alpha1
        kind: BindingPolicy
        metadata:
          name: gadgets
        spec:
          clusterSelectors:
          - matchLabels: {site: lab}
          downsync:
          - apiGroup: example.com
            resources: [\(resource)]
        """
    }

    @Test(arguments: [("gadgetry", true), ("gadgets", false)])
    func pluralComesFromTheCRD(resource: String, placed: Bool) throws {
        var files = Self.files
        files["policy.yaml"] = Self.policy(resource)
        let source = try TemporarySource(files)
        let plan = Planner.plan(try source.loader.loadFleet())
        let refs = try #require(plan[spoke: "s1"]).placements.map(\.ref)
        #expect(refs.contains { $0.kind == "Gadget" && $0.name == "g1" } == placed)
    }
}
