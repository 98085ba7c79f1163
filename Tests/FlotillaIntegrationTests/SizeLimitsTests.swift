import FlotillaBrokerSetup
import FlotillaModel
import FlotillaTestSupport
import FlotillaWire
import Foundation
import Testing

/// The hub's bundle limit, the agents' and the broker's packet limit agree: the largest bundle
/// the hub will publish, even incompressible and signed, fits the broker and is accepted by an
/// agent with its default limit.
struct SizeLimitsTests {
    @Test func theLargestBundleTheHubPublishesFitsTheBrokerAndTheAgent() throws {
        var generator = SystemRandomNumberGenerator()
        // Random bytes do not compress: the worst case for the envelope's size.
        let payload = (0..<WireLimits.defaultHubBundleBytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let key = SigningKey()
        let envelope = try Envelope(spoke: "store-with-a-rather-long-name-0001", generation: WireLimits.maxCounter, payload: payload)
            .encode(signingWith: key)
        // Topic and PUBLISH properties take well under a KiB.
        #expect(envelope.count + 1024 <= WireLimits.maxPacketBytes, "envelope of \(envelope.count) bytes")
        #expect(throws: Never.self) {
            try Envelope.decode(envelope, trustedKeys: [key.verifyingKey], maxBytes: WireLimits.maxPacketBytes)
        }
    }

    @Test func brokerInitWritesThePacketLimitTheAgentsAssume() throws {
        let dir = try TemporaryDirectory.make(prefix: "limits")
        defer { try? FileManager.default.removeItem(at: dir) }
        let layout = try BrokerLayout.create(
            at: dir.appendingPathComponent("broker"), port: 18_830, spokes: ["store-a"], passwd: try MosquittoPasswd())
        let conf = try String(contentsOf: layout.configFile, encoding: .utf8)
        #expect(conf.contains("max_packet_size \(WireLimits.maxPacketBytes)\n"))
        let shipped = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("broker-config/mosquitto.conf"), encoding: .utf8)
        #expect(shipped.contains("max_packet_size \(WireLimits.maxPacketBytes)\n"))
    }
}
