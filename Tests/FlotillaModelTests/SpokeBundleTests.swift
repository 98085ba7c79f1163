import FlotillaModel
import FlotillaWire
import Testing

/// The agent's second line of defence: a payload naming an object by a name Kubernetes would
/// refuse is refused whole, whoever signed it. The hub refuses such names at source validation,
/// so these payloads are written by hand.
struct SpokeBundleTests {
    /// A JSON string literal, escaping what JSON requires (and nothing that would hide a hostile byte).
    static func json(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func item(kind: String = "ConfigMap", apiVersion: String = "v1", namespace: String?, name: String) -> String {
        let ns = namespace.map { #","namespace":\#(json($0))"# } ?? ""
        return #"{"createOnly":false,"object":{"apiVersion":\#(json(apiVersion)),"kind":\#(json(kind)),"metadata":{"name":\#(json(name))\#(ns)}},"singleton":false}"#
    }

    static func payload(_ items: String...) -> [UInt8] {
        Array(#"{"objects":[\#(items.joined(separator: ","))]}"#.utf8)
    }

    @Test(arguments: [
        ("default", "x/../../../canary/escaped", "metadata.name"),
        ("default", "a\u{0}b", "metadata.name"),
        ("default", "a\nb", "metadata.name"),
        ("default", "..", "metadata.name"),
        ("default", "Web", "metadata.name"),
        ("../../etc", "web", "metadata.namespace"),
        ("a\u{0}", "web", "metadata.namespace"),
        ("shop.eu", "web", "metadata.namespace"),
    ])
    func decodeRefusesANameKubernetesWouldRefuse(_ namespace: String, _ name: String, _ field: String) {
        let bytes = Self.payload(Self.item(namespace: "default", name: "fine"), Self.item(namespace: namespace, name: name))
        do {
            let bundle = try SpokeBundle.decode(payload: bytes)
            Issue.record("decoded \(bundle.items.map(\.ref))")
        } catch {
            let text = "\(error)"
            #expect(text.contains(field), "\(text)")
            #expect(text.contains("ConfigMap/"), "names the object: \(text)")
            #expect(!text.contains("\n") && !text.contains("\u{0}"), "control characters are escaped: \(text.debugDescription)")
        }
    }

    @Test func decodeRefusesATraversalInAClusterScopedName() {
        let bytes = Self.payload(Self.item(kind: "Namespace", namespace: nil, name: "../../etc"))
        #expect(throws: EnvelopeError.self) { try SpokeBundle.decode(payload: bytes) }
    }

    @Test func decodeAcceptsEveryNameTheKindAllows() throws {
        let bytes = Self.payload(
            Self.item(kind: "ClusterRole", apiVersion: "rbac.authorization.k8s.io/v1", namespace: nil, name: "system:aggregate-to-admin"),
            Self.item(kind: "RoleBinding", apiVersion: "rbac.authorization.k8s.io/v1", namespace: "shop", name: "Ops:Admins"),
            Self.item(namespace: "shop", name: "web.config-1"),
            Self.item(kind: "Namespace", namespace: nil, name: "shop"))
        let bundle = try SpokeBundle.decode(payload: bytes)
        #expect(bundle.items.map(\.ref.name) == ["web.config-1", "shop", "system:aggregate-to-admin", "Ops:Admins"])
    }

    @Test func everyBundleThePlannerMakesDecodes() throws {
        let fleet = try Fixture.fleet(
            """
            apiVersion: flotilla.io/v1alpha1
            kind: Spoke
            metadata: {name: store-1, labels: {site: store}}
            ---
            apiVersion: control.kubestellar.io/v1alpha1
            kind: BindingPolicy
            metadata: {name: all}
            spec:
              clusterSelectors: [{matchLabels: {site: store}}]
              downsync: [{objectSelectors: [{matchLabels: {app: pos}}]}]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: "system:aggregate-to-admin", labels: {app: pos}}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: pos, labels: {app: pos}}
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db-0, namespace: pos, labels: {app: pos}}
            """
        ).get()
        let payload = try #require(Planner.plan(fleet)[spoke: "store-1"]?.payload)
        let bundle = try SpokeBundle.decode(payload: payload)
        #expect(bundle.items.map(\.ref.name) == ["pos", "db-0", "system:aggregate-to-admin"])
    }
}
