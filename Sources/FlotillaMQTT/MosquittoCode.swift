import CMosquitto
import Foundation

/// A libmosquitto result code (`MOSQ_ERR_*`), with the library's own text.
///
/// Named constants make the codes pattern-matchable (`case .noConnection:`), and `~=` matches an
/// ``MQTTError`` that carries one (`catch MosquittoCode.connectionLost`), as GRDB's `ResultCode` does.
public struct MosquittoCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    init(_ code: mosq_err_t) { rawValue = code.rawValue }

    /// A non-blocking connect is under way (only from the asynchronous connect calls).
    public static let connectionPending = Self(MOSQ_ERR_CONN_PENDING)
    public static let success = Self(MOSQ_ERR_SUCCESS)
    public static let noMemory = Self(MOSQ_ERR_NOMEM)
    public static let protocolError = Self(MOSQ_ERR_PROTOCOL)
    public static let invalid = Self(MOSQ_ERR_INVAL)
    /// Not connected. A publish still queues the message, which goes out after the reconnect.
    public static let noConnection = Self(MOSQ_ERR_NO_CONN)
    public static let connectionRefused = Self(MOSQ_ERR_CONN_REFUSED)
    public static let notFound = Self(MOSQ_ERR_NOT_FOUND)
    public static let connectionLost = Self(MOSQ_ERR_CONN_LOST)
    public static let tls = Self(MOSQ_ERR_TLS)
    public static let payloadSize = Self(MOSQ_ERR_PAYLOAD_SIZE)
    public static let notSupported = Self(MOSQ_ERR_NOT_SUPPORTED)
    public static let authentication = Self(MOSQ_ERR_AUTH)
    public static let aclDenied = Self(MOSQ_ERR_ACL_DENIED)
    public static let unknown = Self(MOSQ_ERR_UNKNOWN)
    /// A system call failed: the reason is in `errno`, which ``MQTTError/systemError`` keeps.
    public static let errno = Self(MOSQ_ERR_ERRNO)
    /// `getaddrinfo` failed.
    public static let addressLookup = Self(MOSQ_ERR_EAI)
    public static let proxy = Self(MOSQ_ERR_PROXY)
    public static let malformedUTF8 = Self(MOSQ_ERR_MALFORMED_UTF8)
    /// No PINGRESP within the keepalive: libmosquitto closed the connection.
    public static let keepalive = Self(MOSQ_ERR_KEEPALIVE)
    public static let lookup = Self(MOSQ_ERR_LOOKUP)
    public static let malformedPacket = Self(MOSQ_ERR_MALFORMED_PACKET)
    public static let duplicateProperty = Self(MOSQ_ERR_DUPLICATE_PROPERTY)
    public static let tlsHandshake = Self(MOSQ_ERR_TLS_HANDSHAKE)
    public static let qosNotSupported = Self(MOSQ_ERR_QOS_NOT_SUPPORTED)
    public static let oversizePacket = Self(MOSQ_ERR_OVERSIZE_PACKET)
    public static let ocsp = Self(MOSQ_ERR_OCSP)
    public static let timeout = Self(MOSQ_ERR_TIMEOUT)
    public static let retainNotSupported = Self(MOSQ_ERR_RETAIN_NOT_SUPPORTED)
    public static let topicAliasInvalid = Self(MOSQ_ERR_TOPIC_ALIAS_INVALID)
    public static let administrativeAction = Self(MOSQ_ERR_ADMINISTRATIVE_ACTION)
    public static let alreadyExists = Self(MOSQ_ERR_ALREADY_EXISTS)

    /// `mosquitto_strerror`'s text. For ``errno`` the text depends on the errno of the failed
    /// call, which only ``text(errno:)`` knows.
    public var description: String {
        // mosquitto_strerror(MOSQ_ERR_ERRNO) reads the calling thread's current errno: meaningless here.
        if self == .errno { return "A system call failed." }
        let text = String(cString: mosquitto_strerror(rawValue))
        // libmosquitto 2.0.11 has no text for some of its own codes.
        if text == "Unknown error.", let fallback = Self.fallbackTexts[self] { return fallback }
        return text
    }

    private static let fallbackTexts: [MosquittoCode: String] = [
        .keepalive: "The broker did not answer within the keepalive interval.",
        .lookup: "Lookup error.",
        .malformedPacket: "Malformed packet.",
        .timeout: "Timed out.",
        .retainNotSupported: "Retain is not supported by the broker.",
        .topicAliasInvalid: "Invalid topic alias.",
        .administrativeAction: "Disconnected by administrative action.",
        .alreadyExists: "Already exists.",
    ]

    /// The text of a failure whose errno was captured right after the call: `strerror` for
    /// ``errno``, `mosquitto_strerror` for every other code.
    public func text(errno captured: Int32) -> String {
        self == .errno ? String(cString: strerror(captured)) : description
    }

    /// Whether `error` is an ``MQTTError`` from a libmosquitto call that returned `code`.
    public static func ~= (code: Self, error: any Error) -> Bool {
        (error as? MQTTError)?.mosquittoCode == code
    }
}
