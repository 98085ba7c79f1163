import CMosquitto
import Foundation

extension MosquittoHandle {
    /// Starts a connection attempt with a Session Expiry Interval (without it an MQTT 5 broker
    /// drops the session at once).
    ///
    /// `blocking`: resolve, connect and (with TLS) load the keys before returning, as
    /// `mosquitto_loop` expects. Otherwise the TCP connect only starts, and the socket becomes
    /// writable when it completes; the CONNECT packet is queued behind it.
    /// `bindAddress`: the local address the socket is bound to before it connects (`nil`: any).
    func connect(
        host: String, port: Int32, keepalive: Int32, sessionExpiry: UInt32, bindAddress: String? = nil, blocking: Bool
    ) -> MosquittoResult {
        var properties: OpaquePointer? = nil
        defer { mosquitto_property_free_all(&properties) }
        let added = MosquittoResult.capture {
            mosquitto_property_add_int32(&properties, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), sessionExpiry)
        }
        guard added.isSuccess else { return added }
        if blocking {
            return closedOnExec(.capture { mosquitto_connect_bind_v5(raw, host, port, keepalive, bindAddress, properties) })
        }
        // libmosquitto 2.0 has no asynchronous connect that takes CONNECT properties. But
        // `mosquitto_connect_bind_v5` stores the properties for every later connect before it
        // checks its arguments: with port -1 it stores them and fails without touching the
        // network, and `mosquitto_connect_bind_async` then sends them.
        let stored = MosquittoResult.capture { mosquitto_connect_bind_v5(raw, host, -1, keepalive, nil, properties) }
        guard stored.code == .invalid else { return stored }
        return closedOnExec(.capture { mosquitto_connect_bind_async(raw, host, port, keepalive, bindAddress) })
    }

    /// libmosquitto opens its sockets without `FD_CLOEXEC`: a child process started later (the
    /// hub's git, a test's broker) would keep a copy, so the broker would not see the connection
    /// close until that child exits. Passes `result` through.
    private func closedOnExec(_ result: MosquittoResult) -> MosquittoResult {
        let fd = mosquitto_socket(raw)
        if fd >= 0 {
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
        return result
    }

    /// Shuts the connection's socket down in both directions, with no DISCONNECT: the broker sees
    /// the connection end and publishes the will; the driver's next read sees the end too, and
    /// the connection reconnects as after any loss. `false` when there is no socket.
    func shutdownSocket() -> Bool {
        let fd = mosquitto_socket(raw)
        guard fd >= 0 else { return false }
        return shutdown(fd, Int32(SHUT_RDWR)) == 0
    }

    /// Queues a DISCONNECT (the broker then does not publish the will); the driver's next write
    /// sends it and closes the socket. `noConnection` when there is no socket.
    @discardableResult
    func disconnect() -> MosquittoResult {
        .capture { mosquitto_disconnect_v5(raw, 0, nil) }
    }

    func subscribe(_ filter: String, qos: Int32) -> MosquittoResult {
        .capture { mosquitto_subscribe_v5(raw, nil, filter, qos, 0, nil) }
    }

    /// Queues a publish; returns the result and libmosquitto's message id.
    func publish(topic: String, payload: [UInt8], qos: Int32, retain: Bool) -> (result: MosquittoResult, mid: Int32) {
        var mid: Int32 = 0
        let result = MosquittoResult.capture {
            payload.withUnsafeBytes { buf in
                mosquitto_publish_v5(raw, &mid, topic, Int32(buf.count), buf.baseAddress, qos, retain, nil)
            }
        }
        return (result, mid)
    }

    /// One round of libmosquitto's own `select` loop: waits up to `timeoutMilliseconds` for the
    /// socket (or a queued packet), reads, writes, and keeps the connection alive. Only for sockets
    /// below FD_SETSIZE.
    func loop(timeoutMilliseconds: Int32) -> MosquittoResult {
        .capture { mosquitto_loop(raw, timeoutMilliseconds, 1) }
    }

    /// Reads what the socket has (and advances a TLS handshake, whichever way the socket is
    /// ready). libmosquitto closes the socket and calls back on a failure.
    func loopRead() -> MosquittoResult {
        .capture { mosquitto_loop_read(raw, 1) }
    }

    /// Writes queued packets until the socket would block.
    func loopWrite() -> MosquittoResult {
        .capture { mosquitto_loop_write(raw, 1) }
    }

    /// Keepalive: sends PINGREQ when due and closes a connection whose broker stopped answering
    /// (or an attempt that never got its CONNACK). Call about once a second.
    func loopMisc() -> MosquittoResult {
        .capture { mosquitto_loop_misc(raw) }
    }

    /// The connection's socket, or -1. A new attempt gets a new socket.
    var socket: Int32 { mosquitto_socket(raw) }

    /// Whether packets wait to be written (or TLS wants the socket to become writable).
    var wantsWrite: Bool { mosquitto_want_write(raw) }
}
