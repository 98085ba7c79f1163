import FlotillaMQTT
import Foundation
import Testing

/// The typed codes carry libmosquitto's own words: `mosquitto_strerror` for result codes,
/// `mosquitto_reason_string` for the broker's reason codes, and `strerror` of the errno captured
/// at the call site for `MOSQ_ERR_ERRNO`.
struct MQTTReasonCodeTests {
    @Test func resultCodesCarryMosquittosText() {
        #expect(MosquittoCode.success.description == "No error.")
        #expect(MosquittoCode.noConnection.description == "The client is not currently connected.")
        #expect(MosquittoCode.connectionLost.description == "The connection was lost.")
        #expect(MosquittoCode.connectionRefused.description == "The connection was refused.")
        #expect(MosquittoCode.tls.description == "A TLS error occurred.")
        #expect(MosquittoCode.invalid.description == "Invalid function arguments provided.")
        // Codes libmosquitto 2.0.11 has no words for get ours, not "Unknown error.".
        #expect(MosquittoCode.keepalive.description == "The broker did not answer within the keepalive interval.")
        #expect(MosquittoCode(rawValue: 99).description == "Unknown error.")
        #expect(MosquittoCode(rawValue: 4) == .noConnection)
        #expect(MosquittoCode.connectionLost.rawValue == 7)
        // MOSQ_ERR_ERRNO's text is the errno of the failed call, not whatever errno is now.
        #expect(MosquittoCode.errno.text(errno: ECONNREFUSED) == String(cString: strerror(ECONNREFUSED)))
        #expect(MosquittoCode.connectionLost.text(errno: ECONNREFUSED) == "The connection was lost.")
    }

    @Test func reasonCodesCarryTheReasonString() {
        #expect(MQTTReasonCode.success.description == "Success")
        #expect(MQTTReasonCode.notAuthorized.description == "Not authorized")
        #expect(MQTTReasonCode.badUserNameOrPassword.description == "Bad User Name or Password")
        #expect(MQTTReasonCode.sessionTakenOver.description == "Session taken over")
        #expect(MQTTReasonCode.quotaExceeded.description == "Quota exceeded")
        #expect(MQTTReasonCode(rawValue: 300).description == "Unknown reason")
        #expect(MQTTReasonCode.notAuthorized.rawValue == 135)
        #expect(MQTTReasonCode.notAuthorized.isFailure && MQTTReasonCode.unspecifiedError.isFailure)
        #expect(!MQTTReasonCode.noMatchingSubscribers.isFailure, "a PUBACK nobody subscribed to is still a success")
        #expect(MQTTReasonCode.badUserNameOrPassword.isAuthorizationFailure && !MQTTReasonCode.serverBusy.isAuthorizationFailure)
    }

    @Test func errorsKeepTheCodeAndTheErrnoOfTheCall() {
        let refused = MQTTError(operation: "connect to 127.0.0.1:1", mosquittoCode: .errno, errno: ECONNREFUSED)
        #expect(refused.code == .errno(ECONNREFUSED))
        #expect(refused.systemError == ECONNREFUSED)
        #expect(refused.mosquittoCode == .errno)
        #expect(refused.description == "connect to 127.0.0.1:1: \(String(cString: strerror(ECONNREFUSED)))")

        let lost = MQTTError(operation: "publish t", mosquittoCode: .connectionLost)
        #expect(lost.code == .connectionLost && lost.systemError == nil)
        #expect(lost.description == "publish t: The connection was lost.")
        #expect(MQTTError(operation: "x", mosquittoCode: .tlsHandshake).code == .tls)
        #expect(MQTTError(operation: "x", mosquittoCode: .aclDenied).code == .notAuthorized)
        #expect(MQTTError(operation: "x", mosquittoCode: .keepalive).code == .other(19))
        // The older initialiser, kept for callers, maps the same way.
        #expect(MQTTError(operation: "x", rc: 4).code == .noConnection)
    }

    @Test func codesPatternMatchAndMatchTheErrorsThatCarryThem() {
        func name(_ code: MosquittoCode) -> String {
            switch code {
            case .noConnection: "queued"
            case .connectionLost, .keepalive: "lost"
            default: "other"
            }
        }
        #expect(name(MosquittoCode(rawValue: 4)) == "queued")
        #expect(name(MosquittoCode(rawValue: 19)) == "lost")
        #expect(name(.tls) == "other")

        let error: any Error = MQTTError(operation: "publish", mosquittoCode: .connectionLost)
        switch error {
        case MosquittoCode.connectionLost: break
        default: Issue.record("MosquittoCode ~= did not match \(error)")
        }
        var rejected = MQTTError(operation: "publish", code: .rejected(reasonCode: 135), message: "broker rejected the message")
        rejected.reasonCode = .notAuthorized
        let thrown: any Error = rejected
        switch thrown {
        case MQTTReasonCode.quotaExceeded: Issue.record("matched the wrong reason")
        case MQTTReasonCode.notAuthorized: break
        default: Issue.record("MQTTReasonCode ~= did not match \(thrown)")
        }
    }
}
