import CMosquitto

/// An MQTT 5 reason code sent by the broker (CONNACK, PUBACK, SUBACK, DISCONNECT), with
/// `mosquitto_reason_string`'s text.
///
/// Codes of 0x80 and above are failures. `~=` matches an ``MQTTError`` that carries one
/// (`catch MQTTReasonCode.notAuthorized`).
public struct MQTTReasonCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let success = Self(rawValue: 0x00)
    public static let grantedQoS1 = Self(rawValue: 0x01)
    public static let grantedQoS2 = Self(rawValue: 0x02)
    public static let disconnectWithWill = Self(rawValue: 0x04)
    /// PUBACK: accepted, but nobody is subscribed. Not a failure.
    public static let noMatchingSubscribers = Self(rawValue: 0x10)
    public static let unspecifiedError = Self(rawValue: 0x80)
    public static let malformedPacket = Self(rawValue: 0x81)
    public static let protocolError = Self(rawValue: 0x82)
    public static let implementationSpecificError = Self(rawValue: 0x83)
    public static let unsupportedProtocolVersion = Self(rawValue: 0x84)
    public static let clientIdentifierNotValid = Self(rawValue: 0x85)
    public static let badUserNameOrPassword = Self(rawValue: 0x86)
    public static let notAuthorized = Self(rawValue: 0x87)
    public static let serverUnavailable = Self(rawValue: 0x88)
    public static let serverBusy = Self(rawValue: 0x89)
    public static let banned = Self(rawValue: 0x8A)
    public static let serverShuttingDown = Self(rawValue: 0x8B)
    public static let badAuthenticationMethod = Self(rawValue: 0x8C)
    public static let keepAliveTimeout = Self(rawValue: 0x8D)
    /// Another connection took over this client id's session.
    public static let sessionTakenOver = Self(rawValue: 0x8E)
    public static let topicFilterInvalid = Self(rawValue: 0x8F)
    public static let topicNameInvalid = Self(rawValue: 0x90)
    public static let packetIdentifierInUse = Self(rawValue: 0x91)
    public static let packetIdentifierNotFound = Self(rawValue: 0x92)
    public static let receiveMaximumExceeded = Self(rawValue: 0x93)
    public static let topicAliasInvalid = Self(rawValue: 0x94)
    public static let packetTooLarge = Self(rawValue: 0x95)
    public static let messageRateTooHigh = Self(rawValue: 0x96)
    public static let quotaExceeded = Self(rawValue: 0x97)
    public static let administrativeAction = Self(rawValue: 0x98)
    public static let payloadFormatInvalid = Self(rawValue: 0x99)
    public static let retainNotSupported = Self(rawValue: 0x9A)
    public static let qosNotSupported = Self(rawValue: 0x9B)
    public static let useAnotherServer = Self(rawValue: 0x9C)
    public static let serverMoved = Self(rawValue: 0x9D)
    public static let sharedSubscriptionsNotSupported = Self(rawValue: 0x9E)
    public static let connectionRateExceeded = Self(rawValue: 0x9F)
    public static let maximumConnectTime = Self(rawValue: 0xA0)
    public static let subscriptionIdentifiersNotSupported = Self(rawValue: 0xA1)
    public static let wildcardSubscriptionsNotSupported = Self(rawValue: 0xA2)

    /// 0x80 and above: the broker refused or rejected.
    public var isFailure: Bool { rawValue >= 0x80 }

    /// A CONNACK refusal that is about credentials or permissions. MQTT 3.1.1's return codes 4 and
    /// 5 mean the same as MQTT 5's 0x86 and 0x87.
    public var isAuthorizationFailure: Bool {
        self == .badUserNameOrPassword || self == .notAuthorized || rawValue == 4 || rawValue == 5
    }

    /// `mosquitto_reason_string`'s text, e.g. "Not authorized".
    public var description: String { String(cString: mosquitto_reason_string(rawValue)) }

    /// Whether `error` is an ``MQTTError`` carrying this reason code from the broker.
    public static func ~= (code: Self, error: any Error) -> Bool {
        (error as? MQTTError)?.reasonCode == code
    }
}
