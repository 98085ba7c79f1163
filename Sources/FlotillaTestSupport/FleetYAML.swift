/// Small source documents for tests.
public enum FleetYAML {
    public static func spoke(_ name: String, labels: [String: String] = [:]) -> String {
        """
        apiVersion: flotilla.io/v1alpha1
        kind: Spoke
        metadata:
          name: \(name)
        \(map("labels", labels, indent: 2))
        """
    }

    /// A policy placing objects labelled `app: APP` on spokes labelled `LABEL=VALUE`.
    public static func policy(_ name: String, spokeLabel: (String, String), app: String) -> String {
        """
        apiVersion: control.kubestellar.io/v1alpha1
        kind: BindingPolicy
        metadata:
          name: \(name)
        spec:
          clusterSelectors:
          - matchLabels:
              \(spokeLabel.0): "\(spokeLabel.1)"
          downsync:
          - objectSelectors:
            - matchLabels:
                app: "\(app)"
        """
    }

    public static func configMap(_ name: String, namespace: String = "default", app: String, data: [String: String]) -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: \(name)
          namespace: \(namespace)
          labels:
            app: "\(app)"
        \(map("data", data, indent: 0))
        """
    }

    static func map(_ key: String, _ values: [String: String], indent: Int) -> String {
        let pad = String(repeating: " ", count: indent)
        guard !values.isEmpty else { return "\(pad)\(key): {}" }
        return "\(pad)\(key):\n" + values.keys.sorted().map { "\(pad)  \($0): \"\(values[$0]!)\"" }.joined(separator: "\n")
    }

    /// Joins documents into one multi-document file.
    public static func documents(_ docs: String...) -> String { docs.joined(separator: "\n---\n") }
}
