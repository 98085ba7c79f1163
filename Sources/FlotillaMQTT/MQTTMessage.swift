/// A message delivered to a subscription.
public struct MQTTMessage: Sendable, Hashable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: Int32
    public var retained: Bool

    public init(topic: String, payload: [UInt8], qos: Int32, retained: Bool) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retained = retained
    }
}
