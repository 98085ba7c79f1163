import FlotillaAgent
import FlotillaModel
import FlotillaWire
import FlotillaStore
import FlotillaTestSupport
import Foundation
import Testing

/// A bundle signed with the hub's own key (a stolen key, or a hub bug) that names an object
/// `x/../../../canary/escaped`: the agent refuses the whole bundle before storing or applying
/// it, reports why, and writes nothing anywhere.
@Suite(.serialized)
struct HostileNameTests {
    static func payload(name: String) -> [UInt8] {
        // By hand: neither the hub nor SpokeBundle's own encoder is the attacker's tool.
        let escaped = name.unicodeScalars.map { $0.value < 0x20 ? String(format: "\\u%04x", $0.value) : String($0) }.joined()
        return Array(
            #"{"objects":[{"createOnly":false,"object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(escaped)","namespace":"default"}},"singleton":false}]}"#
                .utf8)
    }

    @Test(arguments: ["x/../../../canary/escaped", "a\u{0}b"])
    func signedBundleWithAHostileNameIsRefusedWholeAndWritesNothing(_ name: String) async throws {
        let h = try FleetHarness()
        let key = SigningKey()
        let manifests = h.manifests(of: "store-a")
        let canary = h.directory.appendingPathComponent("spokes/canary").path
        // The directories the traversal walks through, so that an applier that trusted the
        // name would land in spokes/canary.
        for path in [manifests + "/flotilla--default--configmap--x", manifests + "/.flotilla--default--configmap--x", canary] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        let agent = try await h.startAgent("store-a", trustedKeys: [key.verifyingKey])
        let envelope = try Envelope(spoke: "store-a", generation: 1, payload: Self.payload(name: name)).encode(signingWith: key)
        let probe = try MQTTProbe(port: h.broker.port, clientID: "attacker")
        try await probe.publish(Topics().desired("store-a"), envelope, retain: true)

        try await eventually("store-a refused the bundle", timeout: 15) {
            try await agent.service.store.pending(limit: 1000).contains {
                let r = StatusReport.decode($0.body)
                return r?.kind == .refused && r?.message?.contains("metadata.name") == true && r?.generation == 1
            }
        }
        let state = try await agent.service.store.inspect()
        #expect(state.storedGeneration == nil, "a refused bundle is never stored")
        #expect(state.appliedGeneration == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: canary) == [])
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: manifests).sorted()
                == [".flotilla--default--configmap--x", "flotilla--default--configmap--x"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.directory.appendingPathComponent("spokes").path).sorted()
            .filter { !$0.hasPrefix("store-a.sqlite") } == ["canary", "store-a"])
        await probe.close()
        await agent.stop()
    }
}
