import FlotillaMQTT

/// Where retained bundles go: the hub's broker connection, or a benchmark's instrumented one.
public protocol BundleSink: Sendable {
    /// Hands a retained QoS 1 message to the connection without waiting for the broker.
    func sendRetained(topic: String, payload: [UInt8]) throws
}

extension MQTTClient: BundleSink {
    public func sendRetained(topic: String, payload: [UInt8]) throws {
        _ = try send(topic: topic, payload: payload, qos: 1, retain: true)
    }
}
