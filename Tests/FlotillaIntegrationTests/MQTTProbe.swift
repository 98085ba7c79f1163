import FlotillaMQTT
import FlotillaTestSupport
import Foundation
import Synchronization

/// A bare MQTT client for tests: records every message it receives and publishes raw bytes.
final class MQTTProbe: Sendable {
    let client: MQTTClient
    let log = MessageLog()
    let reader: Task<Void, Never>

    init(port: Int32, clientID: String, username: String? = nil, password: String? = nil) throws {
        let client = try MQTTClient(
            configuration: MQTTConfiguration(
                host: "127.0.0.1", port: port, clientID: clientID, username: username, password: password, cleanStart: true,
                sessionExpiry: 0, reconnectMin: 0.1, reconnectMax: 0.5))
        self.client = client
        let log = self.log
        reader = Task {
            for await m in client.messages { log.messages.withLock { $0.append(m) } }
        }
        client.start()
    }

    func connected() async throws {
        try await eventually("probe connected", timeout: 10) { self.client.isConnected }
    }

    func messages(on topic: String) -> [MQTTMessage] { log.messages.withLock { $0.filter { $0.topic == topic } } }

    /// The retained message on `topic`, or `nil` if none arrives within `seconds`.
    func retained(on topic: String, within seconds: Double) async throws -> [UInt8]? {
        try await connected()
        try client.subscribe(topic, qos: 1)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let m = messages(on: topic).first(where: { !$0.payload.isEmpty }) { return m.payload }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    func subscribe(_ filter: String) async throws {
        try await connected()
        try client.subscribe(filter, qos: 1)
    }

    func publish(_ topic: String, _ payload: [UInt8], retain: Bool = false) async throws {
        try await connected()
        try await client.publish(topic: topic, payload: payload, qos: 1, retain: retain)
    }

    func close() async {
        await client.stop()
        reader.cancel()
    }
}

final class MessageLog: Sendable {
    let messages = Mutex<[MQTTMessage]>([])
}
