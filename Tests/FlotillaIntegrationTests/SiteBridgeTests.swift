import FlotillaAgent
import FlotillaHub
import FlotillaModel
import FlotillaTestSupport
import FlotillaWire
import Foundation
import Testing

/// A spoke behind a site broker bridged to the central one: when the site is cut off its last
/// presence stays "online" centrally (its will fires at the site), so the hub reads the bridge's
/// state from `$SYS` and shows the spoke unreachable.
@Suite(.serialized)
struct SiteBridgeTests {
    @Test func spokesBehindABridgeThatIsDownAreShownUnreachable() async throws {
        let h = try FleetHarness()
        let spoke = "factory-07-line1"
        try h.write(
            "inventory.yaml",
            FleetYAML.documents(
                """
                apiVersion: flotilla.io/v1alpha1
                kind: Spoke
                metadata:
                  name: \(spoke)
                  labels: {site: factory}
                  annotations: {flotilla.io/site-bridge: bridge-factory-07}
                """,
                FleetYAML.spoke("store-direct", labels: ["site": "factory"])))
        try h.write("policy.yaml", FleetYAML.policy("factories", spokeLabel: ("site", "factory"), app: "web"))
        try h.write("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": "1"]))
        // The site broker, bridged as broker-config/bridge-site.conf does it.
        let site = try MosquittoBroker(
            persistence: true,
            extraConfig: """
                connection bridge-factory-07
                address 127.0.0.1:\(h.broker.port)
                remote_clientid bridge-factory-07
                cleansession false
                notifications true
                topic flotilla/v1/spokes/\(spoke)/desired in 1
                topic flotilla/v1/spokes/\(spoke)/ack in 1
                topic flotilla/v1/spokes/\(spoke)/status out 1
                topic flotilla/v1/spokes/\(spoke)/presence out 1
                """)
        defer { site.stop() }
        let hub = try h.startHub()
        let running = try await h.startAgent(spoke, brokerPort: site.port)
        func status() async throws -> StatusSnapshot.SpokeStatus? {
            try await hub.service.statusSnapshot().spokes.first { $0.name == spoke }
        }
        try await eventually("the spoke behind the bridge converged and is online", timeout: 30) {
            let s = try await status()
            return s?.converged == true && s?.online == true && s?.phase == .applied
        }
        // The site is cut off: the bridge's will sets its state to 0 centrally.
        site.kill()
        try await eventually("the spoke shows unreachable", timeout: 30) {
            let s = try await status()
            return s?.online == false && s?.phase == .offline && s?.errors.contains("unreachable (site bridge bridge-factory-07 down)") == true
        }
        // A spoke not behind that bridge is not affected.
        #expect(try await hub.service.statusSnapshot().spokes.first { $0.name == "store-direct" }?.errors.isEmpty == true)
        // The site comes back: the bridge reconnects and the spoke is reachable again.
        try site.start()
        try await eventually("the spoke is reachable again", timeout: 60) {
            let s = try await status()
            return s?.online == true && s?.errors.isEmpty == true
        }
        await running.stop()
        await hub.stop()
    }
}
