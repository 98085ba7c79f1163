/// One edge site in the inventory: its name (also its MQTT topic level and broker username),
/// labels, annotations and customisation properties. Inventory never goes into a bundle.
public struct Spoke: Sendable, Hashable {
    public var name: String
    public var labels: [String: String]
    public var annotations: [String: String]
    /// From the spoke's ConfigMap in the `customization-properties` namespace.
    public var properties: [String: String]
    public var origin: SourceLocation

    public init(
        name: String, labels: [String: String] = [:], annotations: [String: String] = [:],
        properties: [String: String] = [:], origin: SourceLocation = SourceLocation(file: "", line: 0)
    ) {
        self.name = name
        self.labels = labels
        self.annotations = annotations
        self.properties = properties
        self.origin = origin
    }

    /// Whether `name` can be a spoke name: a DNS-1123 label, which is also a plain MQTT topic
    /// level (no `+`, `#` or `/`) and a username mosquitto's pattern ACLs accept.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 63 else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
        guard alnum(bytes.first!), alnum(bytes.last!) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }
}
