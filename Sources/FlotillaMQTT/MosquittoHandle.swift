import CMosquitto
import Foundation

/// The one owner of a `struct mosquitto *`: created in `init`, destroyed in `deinit`, and every
/// libmosquitto call on it goes through this type. No other code sees the raw pointer.
///
/// `@unchecked Sendable` is sound because libmosquitto is built thread-safe on Debian and the
/// handle is put in threaded mode: publish, subscribe and disconnect may be called from any
/// thread (they only queue packets, under libmosquitto's own mutexes), while connect and the
/// network calls (`loop`, `loop_read`, `loop_write`, `loop_misc`) are made by one driver thread
/// at a time, never concurrently.
final class MosquittoHandle: @unchecked Sendable {
    let raw: OpaquePointer
    /// Hears what happens inside this handle's calls. It holds no reference back to the handle, so
    /// the handle (and the C object) goes away with its connection.
    let delegate: any MosquittoDelegate

    private static let libraryReady: Bool = {
        mosquitto_lib_init() == MOSQ_ERR_SUCCESS.rawValue
    }()

    init(clientID: String, cleanStart: Bool, delegate: any MosquittoDelegate) throws(MQTTError) {
        guard Self.libraryReady else {
            throw MQTTError(operation: "mosquitto_lib_init", code: .other(-1), message: "libmosquitto failed to initialise")
        }
        guard let handle = mosquitto_new(clientID, cleanStart, nil) else {
            let captured = currentErrno()
            throw MQTTError(
                operation: "mosquitto_new", code: .invalid,
                message: "cannot create client \"\(clientID)\" (\(String(cString: strerror(captured))))")
        }
        raw = handle
        self.delegate = delegate
        // Callbacks find the handle through the user pointer, unretained: libmosquitto calls them
        // only from inside calls made through this handle, by someone who holds it.
        mosquitto_user_data_set(raw, Unmanaged.passUnretained(self).toOpaque())
        try check("set threaded mode", .capture { mosquitto_threaded_set(raw, true) })
        installCallbacks()
    }

    deinit {
        mosquitto_destroy(raw)
    }

    /// Throws an ``MQTTError`` naming `operation` unless `result` is success.
    func check(_ operation: String, _ result: MosquittoResult) throws(MQTTError) {
        guard result.isSuccess else { throw MQTTError(operation: operation, result) }
    }

    /// The handle whose user pointer libmosquitto passed to a callback.
    static func from(_ userdata: UnsafeMutableRawPointer?) -> MosquittoHandle? {
        guard let userdata else { return nil }
        return Unmanaged<MosquittoHandle>.fromOpaque(userdata).takeUnretainedValue()
    }
}
