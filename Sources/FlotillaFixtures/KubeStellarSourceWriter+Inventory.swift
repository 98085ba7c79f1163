import FlotillaModel

/// The inventory: `ManagedCluster`s and their property ConfigMaps.
extension KubeStellarSourceWriter {
    /// One spoke as the source describes it.
    struct Cluster: Sendable {
        var index: Int
        var name: String
        /// In the order they are written.
        var labels: [(String, String)]
        var properties: [(String, String)]
    }

    static let regions: [(name: String, timezone: String)] = [
        ("eu-west", "Europe/Dublin"), ("eu-central", "Europe/Berlin"), ("eu-north", "Europe/Stockholm"),
        ("eu-south", "Europe/Rome"), ("us-east", "America/New_York"), ("us-central", "America/Chicago"),
        ("us-west", "America/Los_Angeles"), ("ap-south", "Asia/Kolkata"), ("ap-east", "Asia/Hong_Kong"),
        ("sa-east", "America/Sao_Paulo"),
    ]
    static let zoneSuffixes = ["a", "b", "c"]
    /// Store tiers with their share of the fleet, in percent.
    static let tiers: [(name: String, percent: UInt64)] = [("small", 40), ("medium", 30), ("large", 20), ("flagship", 10)]
    static let formats = ["express", "supermarket", "hypermarket"]
    static let waves = 5

    /// Every spoke, its labels drawn from a generator seeded by the writer's seed and its index
    /// (so one spoke's labels never depend on the others').
    func clusters() -> [Cluster] { (0..<spokes).map(cluster) }

    func cluster(_ index: Int) -> Cluster {
        var rng = SplitMix64(seed: seed ^ (UInt64(index) &* 0xD6E8_FEB8_6659_FD93))
        let region = Self.regions[Int(rng.next() % UInt64(Self.regions.count))]
        let zone = region.name + "-" + Self.zoneSuffixes[Int(rng.next() % UInt64(Self.zoneSuffixes.count))]
        var roll = rng.next() % 100
        var tier = Self.tiers[0].name
        for t in Self.tiers {
            if roll < t.percent {
                tier = t.name
                break
            }
            roll -= t.percent
        }
        let format = Self.formats[Int(rng.next() % UInt64(Self.formats.count))]
        let wave = Int(rng.next() % UInt64(Self.waves))
        let name = Self.spokeName(index)
        var labels: [(String, String)] = [
            ("location-group", "edge"), ("name", name), ("region", region.name), ("zone", zone), ("store-tier", tier),
            ("store-format", format), ("rollout-wave", String(wave)),
        ]
        if canaries.contains(index) { labels.append((Self.canaryLabel, "true")) }
        let properties = [
            ("storeNumber", String(10_000 + index)), ("timezone", region.timezone),
            ("posEndpoint", "https://pos.\(name).stores.example.com:8443"),
        ]
        return Cluster(index: index, name: name, labels: labels, properties: properties)
    }

    static func managedCluster(_ c: Cluster) -> String {
        """
        apiVersion: cluster.open-cluster-management.io/v1
        kind: ManagedCluster
        metadata:
          name: \(c.name)
          labels:
        \(map(c.labels, indent: 4))
        spec:
          hubAcceptsClient: true
          leaseDurationSeconds: 60

        """
    }

    static func propertiesConfigMap(_ c: Cluster) -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: \(c.name)
          namespace: \(FleetSource.propertiesNamespace)
        data:
        \(map(c.properties, indent: 2))

        """
    }

    /// The inventory file of the clusters starting at `start` (a multiple of ``clustersPerFile``).
    func inventoryText(start: Int) -> String {
        Self.documents((start..<min(spokes, start + Self.clustersPerFile)).map { Self.managedCluster(cluster($0)) })
    }

    /// `key: "value"` lines, indented.
    static func map(_ pairs: [(String, String)], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        return pairs.map { "\(pad)\(quoted($0.0)): \(quoted($0.1))" }.joined(separator: "\n")
    }

    /// A double-quoted YAML scalar (JSON's escapes, which YAML reads the same way).
    static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
