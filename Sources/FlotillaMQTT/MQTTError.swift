import CMosquitto
import Foundation

/// A libmosquitto failure: the operation, mosquitto's result code and its own message.
public struct MQTTError: Error, Sendable, Hashable, CustomStringConvertible {
    /// libmosquitto's result codes that callers branch on; the rest are `.other`.
    public enum Code: Sendable, Hashable {
        case noConnection, connectionLost, connectionRefused, notAuthorized, tls, protocolError
        case payloadTooLarge, invalid, errno(Int32), stopped, timedOut, rejected(reasonCode: Int32)
        case other(Int32)
    }

    public var operation: String
    public var code: Code
    public var message: String

    public init(operation: String, code: Code, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    /// Builds an error from a `MOSQ_ERR_*` code with `mosquitto_strerror`'s text.
    public init(operation: String, rc: Int32) {
        self.operation = operation
        let err = mosq_err_t(rawValue: rc)
        switch err {
        case MOSQ_ERR_NO_CONN: code = .noConnection
        case MOSQ_ERR_CONN_LOST: code = .connectionLost
        case MOSQ_ERR_CONN_REFUSED: code = .connectionRefused
        case MOSQ_ERR_AUTH, MOSQ_ERR_ACL_DENIED: code = .notAuthorized
        case MOSQ_ERR_TLS, MOSQ_ERR_TLS_HANDSHAKE: code = .tls
        case MOSQ_ERR_PROTOCOL, MOSQ_ERR_MALFORMED_PACKET: code = .protocolError
        case MOSQ_ERR_PAYLOAD_SIZE, MOSQ_ERR_OVERSIZE_PACKET: code = .payloadTooLarge
        case MOSQ_ERR_INVAL: code = .invalid
        case MOSQ_ERR_ERRNO: code = .errno(errno)
        default: code = .other(rc)
        }
        if err == MOSQ_ERR_ERRNO {
            message = String(cString: strerror(errno))
        } else {
            message = String(cString: mosquitto_strerror(rc))
        }
    }

    public var description: String { "\(operation): \(message)" }
}
