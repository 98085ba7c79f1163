import FlotillaModel

/// The workload manifests: the baseline namespace every spoke gets, and one namespace per app.
extension KubeStellarSourceWriter {
    static let baselineLabel = "flotilla.bench/baseline"
    static let componentLabel = "flotilla.bench/component"
    static let partOfLabel = "app.kubernetes.io/part-of"
    static let components = 4
    static let objectsPerApp = 20

    /// `fleet-system`: its Namespace, a node agent (DaemonSet and metrics Service), a gateway
    /// Deployment, a pull Secret, the templated `store-identity`, and the canary ConfigMap.
    /// `fleet-settings` (``allSpokesObject``) is in a file of its own.
    static func baseline() -> [String] {
        let ns = "fleet-system"
        let base = "    \(quoted(baselineLabel)): \"true\""
        return [
            """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: \(ns)
              labels:
            \(base)
                "app.kubernetes.io/part-of": "fleet"

            """,
            """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata:
              name: node-agent
              namespace: \(ns)
              labels:
            \(base)
                "app.kubernetes.io/name": "node-agent"
            spec:
              selector:
                matchLabels: {"app.kubernetes.io/name": "node-agent"}
              template:
                metadata:
                  labels: {"app.kubernetes.io/name": "node-agent"}
                spec:
                  hostNetwork: true
                  containers:
                  - name: agent
                    image: registry.example.com/fleet/node-agent:3.4.1
                    args: ["--metrics-port=9100", "--collect=cpu,memory,disk,net"]
                    ports:
                    - {containerPort: 9100, name: metrics}
                    resources:
                      requests: {cpu: 50m, memory: 64Mi}
                      limits: {cpu: 200m, memory: 128Mi}

            """,
            """
            apiVersion: v1
            kind: Service
            metadata:
              name: node-agent-metrics
              namespace: \(ns)
              labels:
            \(base)
                "app.kubernetes.io/name": "node-agent"
            spec:
              selector: {"app.kubernetes.io/name": "node-agent"}
              ports:
              - {name: metrics, port: 9100, targetPort: 9100}

            """,
            """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: edge-gateway
              namespace: \(ns)
              labels:
            \(base)
                "app.kubernetes.io/name": "edge-gateway"
            spec:
              replicas: 2
              selector:
                matchLabels: {"app.kubernetes.io/name": "edge-gateway"}
              template:
                metadata:
                  labels: {"app.kubernetes.io/name": "edge-gateway"}
                spec:
                  imagePullSecrets: [{name: registry-pull}]
                  containers:
                  - name: gateway
                    image: registry.example.com/fleet/edge-gateway:2.11.0
                    ports: [{containerPort: 8443}]
                    envFrom: [{configMapRef: {name: fleet-settings}}, {configMapRef: {name: store-identity}}]
                    readinessProbe:
                      httpGet: {path: /healthz, port: 8443, scheme: HTTPS}
                      periodSeconds: 10

            """,
            """
            apiVersion: v1
            kind: Secret
            metadata:
              name: registry-pull
              namespace: \(ns)
              labels:
            \(base)
            type: kubernetes.io/dockerconfigjson
            data:
              .dockerconfigjson: eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJhdXRoIjoiWm14dmRHbHNiR0U2YzJWamNtVjAifX19

            """,
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: store-identity
              namespace: \(ns)
              labels:
            \(base)
              annotations:
                \(quoted(TemplateExpander.annotation)): "true"
            data:
              store: "{{.clusterName}}"
              storeNumber: "{{.storeNumber}}"
              region: "{{.region}}"
              zone: "{{.zone}}"
              timezone: "{{.timezone}}"
              posEndpoint: "{{.posEndpoint}}"

            """,
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: \(canaryObject.name)
              namespace: \(ns)
              labels:
                \(quoted(canaryLabel)): "true"
            data:
              channel: canary
              extraLogging: "true"

            """,
        ]
    }

    /// ``allSpokesObject``, at the writer's ``revision``.
    func fleetSettings() -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: \(Self.allSpokesObject.name)
          namespace: \(Self.allSpokesObject.namespace)
          labels:
            \(Self.quoted(Self.baselineLabel)): "true"
        data:
          revision: "\(revision)"
          logLevel: info
          telemetryEndpoint: https://telemetry.example.com/v1/ingest
          featureFlags: "self-checkout,loyalty-v2,price-sync"
          syncIntervalSeconds: "300"

        """
    }

    /// How many apps the objects beyond the baseline make (about ``objectsPerApp`` each).
    var appCount: Int { max(1, (objects - Self.baselineObjects) / Self.objectsPerApp) }

    static func appName(_ app: Int) -> String { "app-" + pad(app, 3) }

    /// The objects of every app, as YAML documents: object `i` beyond the baseline goes to app
    /// `i % apps`; the first of each app is its Namespace.
    func appObjects() -> [[String]] {
        let apps = appCount
        var out = [[String]](repeating: [], count: apps)
        for i in 0..<(objects - Self.baselineObjects) {
            let app = i % apps
            out[app].append(Self.appObject(app: app, slot: i / apps))
        }
        return out
    }

    static let appKinds = ["Deployment", "ConfigMap", "Service", "Secret", "ConfigMap", "DaemonSet"]

    /// Object `slot` of `app`: slot 0 is the Namespace; the others cycle through
    /// ``appKinds`` and the components `c0`…`c3`.
    static func appObject(app: Int, slot: Int) -> String {
        let ns = appName(app)
        guard slot > 0 else {
            return """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: \(ns)
                  labels:
                    \(quoted(partOfLabel)): \(quoted(ns))
                    \(quoted(componentLabel)): "namespace"

                """
        }
        let component = "c\((slot - 1) % components)"
        let kind = appKinds[(slot - 1) % appKinds.count]
        let labels = """
              labels:
                \(quoted(partOfLabel)): \(quoted(ns))
                \(quoted(componentLabel)): \(quoted(component))
            """
        switch kind {
        case "Deployment", "DaemonSet":
            let name = kind == "Deployment" ? "web-\(slot)" : "agent-\(slot)"
            let replicas = kind == "Deployment" ? "\n  replicas: \(1 + slot % 3)" : ""
            return """
                apiVersion: apps/v1
                kind: \(kind)
                metadata:
                  name: \(name)
                  namespace: \(ns)
                \(labels)
                    "app.kubernetes.io/name": \(quoted(name))
                spec:\(replicas)
                  selector:
                    matchLabels: {"app.kubernetes.io/name": \(quoted(name))}
                  template:
                    metadata:
                      labels: {"app.kubernetes.io/name": \(quoted(name)), \(quoted(partOfLabel)): \(quoted(ns))}
                    spec:
                      containers:
                      - name: main
                        image: registry.example.com/\(ns)/\(name):1.\(slot % 9).\(app % 7)
                        ports: [{containerPort: 8080, name: http}]
                        env:
                        - {name: APP, value: \(quoted(ns))}
                        - {name: COMPONENT, value: \(quoted(component))}
                        resources:
                          requests: {cpu: 100m, memory: 128Mi}
                          limits: {cpu: 500m, memory: 256Mi}

                """
        case "Service":
            let name = "svc-\(slot)"
            return """
                apiVersion: v1
                kind: Service
                metadata:
                  name: \(name)
                  namespace: \(ns)
                \(labels)
                spec:
                  selector: {\(quoted(partOfLabel)): \(quoted(ns))}
                  ports:
                  - {name: http, port: 80, targetPort: 8080}

                """
        case "Secret":
            let name = "creds-\(slot)"
            return """
                apiVersion: v1
                kind: Secret
                metadata:
                  name: \(name)
                  namespace: \(ns)
                \(labels)
                type: Opaque
                data:
                  username: YXBwLXVzZXI=
                  password: c2VjcmV0LXBhc3N3b3JkLQ==

                """
        default:
            let name = "config-\(slot)"
            return """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: \(name)
                  namespace: \(ns)
                \(labels)
                data:
                  mode: store
                  slot: "\(slot)"
                  endpoint: "https://\(ns).internal.example.com/api/v\(1 + slot % 3)"
                  cacheSeconds: "\(60 * (1 + slot % 5))"

                """
        }
    }
}
