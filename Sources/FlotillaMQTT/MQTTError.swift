import CMosquitto
import Foundation

/// A failure of the MQTT client: the operation, a category callers branch on, and the library's or
/// the broker's own words.
///
/// A failed libmosquitto call keeps its ``MosquittoCode`` (and, for `MOSQ_ERR_ERRNO`, the errno
/// read right after the call); a refusal by the broker keeps its ``MQTTReasonCode``.
public struct MQTTError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What callers branch on; ``mosquittoCode`` and ``reasonCode`` keep the exact code.
    public enum Code: Sendable, Hashable {
        case noConnection, connectionLost, connectionRefused, notAuthorized, tls, protocolError
        case payloadTooLarge, invalid, errno(Int32), stopped, timedOut, rejected(reasonCode: Int32)
        case other(Int32)
    }

    public var operation: String
    public var code: Code
    public var message: String
    /// libmosquitto's result code, when a library call failed.
    public var mosquittoCode: MosquittoCode?
    /// The broker's reason code, when the broker refused the connection or rejected a message.
    public var reasonCode: MQTTReasonCode?
    /// errno as it was right after the failing call, when the failure was a system call's.
    public var systemError: Int32?

    public init(operation: String, code: Code, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// An error from a libmosquitto result code, with `errno` as captured right after the call;
    /// the message is `mosquitto_strerror`'s, or `strerror(errno)` for `MOSQ_ERR_ERRNO`.
    public init(operation: String, mosquittoCode: MosquittoCode, errno captured: Int32 = 0) {
        self.operation = operation
        self.mosquittoCode = mosquittoCode
        message = mosquittoCode.text(errno: captured)
        if mosquittoCode == .errno { systemError = captured }
        switch mosquittoCode {
        case .noConnection: code = .noConnection
        case .connectionLost: code = .connectionLost
        case .connectionRefused: code = .connectionRefused
        case .authentication, .aclDenied: code = .notAuthorized
        case .tls, .tlsHandshake: code = .tls
        case .protocolError, .malformedPacket: code = .protocolError
        case .payloadSize, .oversizePacket: code = .payloadTooLarge
        case .invalid: code = .invalid
        case .errno: code = .errno(captured)
        default: code = .other(mosquittoCode.rawValue)
        }
    }

    /// An error from a `MOSQ_ERR_*` code, reading `errno` now. Prefer
    /// ``init(operation:mosquittoCode:errno:)`` with errno captured at the call site.
    public init(operation: String, rc: Int32) {
        let captured = errno
        self.init(operation: operation, mosquittoCode: MosquittoCode(rawValue: rc), errno: captured)
    }

    /// A system call of the client's own (epoll, eventfd) failed with `errno`.
    init(operation: String, systemError captured: Int32) {
        self.init(operation: operation, code: .errno(captured), message: String(cString: strerror(captured)))
        systemError = captured
    }

    init(operation: String, _ result: MosquittoResult) {
        self.init(operation: operation, mosquittoCode: result.code, errno: result.errno)
    }

    public var description: String { "\(operation): \(message)" }
}
