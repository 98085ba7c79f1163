import FlotillaModel

/// The `BindingPolicy`s: `fleet-baseline`, `canary`, and the per-app policies.
extension KubeStellarSourceWriter {
    /// Every policy as a YAML document, in name order.
    func policyDocuments(apps: Int) -> [String] {
        var out = [
            Self.policy(
                name: "fleet-baseline", clusterSelector: #"  - matchLabels: {"location-group": "edge"}"#,
                objectSelector: "      - matchLabels: {\(Self.quoted(Self.baselineLabel)): \"true\"}"),
            Self.policy(
                name: "canary", clusterSelector: "  - matchLabels: {\(Self.quoted(Self.canaryLabel)): \"true\"}",
                objectSelector: "      - matchLabels: {\(Self.quoted(Self.canaryLabel)): \"true\"}"),
        ]
        for k in 0..<(policies - 2) {
            out.append(appPolicy(k, apps: apps))
        }
        return out
    }

    /// Per-app policy `k`: app `k % apps`, components `c0`+`c1` or `c2`+`c3` (and the app's
    /// Namespace), on the clusters of one zone and tier, one region and tier, one region and
    /// rollout wave, or one zone and store format (about 1.6 % of the fleet on average).
    func appPolicy(_ k: Int, apps: Int) -> String {
        var rng = SplitMix64(seed: seed ^ 0xB1ED_0000_0000_0000 ^ UInt64(k))
        let app = Self.appName(k % apps)
        let pair = (k / apps) % 2
        let components = ["namespace", "c\(2 * pair)", "c\(2 * pair + 1)"]
        let region = Self.regions[Int(rng.next() % UInt64(Self.regions.count))].name
        let zone = region + "-" + Self.zoneSuffixes[Int(rng.next() % UInt64(Self.zoneSuffixes.count))]
        let tier = Self.tiers[Int(rng.next() % UInt64(Self.tiers.count))].name
        let format = Self.formats[Int(rng.next() % UInt64(Self.formats.count))]
        let wave = String(rng.next() % UInt64(Self.waves))
        let labels: [(String, String)]
        switch k % 4 {
        case 0: labels = [("zone", zone), ("store-tier", tier)]
        case 1: labels = [("region", region), ("store-tier", tier)]
        case 2: labels = [("region", region), ("rollout-wave", wave)]
        default: labels = [("zone", zone), ("store-format", format)]
        }
        let matchLabels = labels.map { "\(Self.quoted($0.0)): \(Self.quoted($0.1))" }.joined(separator: ", ")
        let objectSelector = """
                  - matchExpressions:
                    - {key: \(Self.quoted(Self.partOfLabel)), operator: In, values: [\(Self.quoted(app))]}
                    - {key: \(Self.quoted(Self.componentLabel)), operator: In, values: [\(components.map(Self.quoted).joined(separator: ", "))]}
            """
        return Self.policy(
            name: "\(app)-\(labels.map(\.1).joined(separator: "-"))-\(Self.pad(k, 4))",
            clusterSelector: "  - matchLabels: {\(matchLabels)}", objectSelector: objectSelector)
    }

    static func policy(name: String, clusterSelector: String, objectSelector: String) -> String {
        """
        apiVersion: control.kubestellar.io/v1alpha1
        kind: BindingPolicy
        metadata:
          name: \(name)
        spec:
          clusterSelectors:
        \(clusterSelector)
          downsync:
          - objectSelectors:
        \(objectSelector)

        """
    }
}
