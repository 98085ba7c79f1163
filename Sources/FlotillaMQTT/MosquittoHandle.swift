import CMosquitto
import Foundation

/// The one owner of a `struct mosquitto *`. Created in `init`, destroyed in `deinit`; no other
/// code sees the raw pointer.
///
/// `@unchecked Sendable` is sound because libmosquitto is built thread-safe on Debian and the
/// handle is put in threaded mode: publish, subscribe and disconnect may be called from any
/// thread, while connect and the network loop run only on the client's own loop thread.
final class MosquittoHandle: @unchecked Sendable {
    let raw: OpaquePointer
    private let context: Unmanaged<CallbackContext>

    private static let libraryReady: Bool = {
        mosquitto_lib_init() == MOSQ_ERR_SUCCESS.rawValue
    }()

    init(clientID: String, cleanStart: Bool, context: CallbackContext) throws(MQTTError) {
        guard Self.libraryReady else {
            throw MQTTError(operation: "mosquitto_lib_init", code: .other(-1), message: "libmosquitto failed to initialise")
        }
        let retained = Unmanaged.passRetained(context)
        guard let handle = mosquitto_new(clientID, cleanStart, retained.toOpaque()) else {
            retained.release()
            throw MQTTError(operation: "mosquitto_new", code: .invalid, message: "cannot create client \"\(clientID)\" (\(String(cString: strerror(errno))))")
        }
        raw = handle
        self.context = retained
        mosquitto_threaded_set(raw, true)
    }

    deinit {
        mosquitto_destroy(raw)
        context.release()
    }

    /// Runs a libmosquitto call and turns a non-success result into an ``MQTTError``.
    func check(_ operation: String, _ rc: Int32) throws(MQTTError) {
        guard rc == MOSQ_ERR_SUCCESS.rawValue else { throw MQTTError(operation: operation, rc: rc) }
    }
}
