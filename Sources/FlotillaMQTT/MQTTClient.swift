import CMosquitto
import Foundation
import Logging
import Synchronization

/// An MQTT 5 client over libmosquitto with a persistent session, automatic reconnect with
/// jittered exponential backoff, QoS 1 publishes that complete on PUBACK, and messages and
/// connection events as `AsyncStream`s.
///
/// The network loop runs on a dedicated thread (never on Swift's cooperative pool), which
/// connects, reconnects, resubscribes on every connect, and reports why it could not connect.
public final class MQTTClient: Sendable {
    public let configuration: MQTTConfiguration
    /// Every message received on any subscription, in arrival order.
    public let messages: AsyncStream<MQTTMessage>
    /// Connection life-cycle events.
    public let events: AsyncStream<MQTTEvent>

    let handle: MosquittoHandle
    let context: CallbackContext
    let loop: LoopControl
    let logger: Logger

    /// Creates the client; nothing touches the network until ``start()``.
    /// - Throws: ``MQTTError`` if libmosquitto rejects the options (client id, will, TLS files).
    public init(configuration: MQTTConfiguration, logger: Logger = Logger(label: "flotilla.mqtt")) throws(MQTTError) {
        self.configuration = configuration
        self.logger = logger
        let (messages, mc) = AsyncStream.makeStream(of: MQTTMessage.self)
        let (events, ec) = AsyncStream.makeStream(of: MQTTEvent.self)
        self.messages = messages
        self.events = events
        context = CallbackContext(messages: mc, events: ec)
        handle = try MosquittoHandle(clientID: configuration.clientID, cleanStart: configuration.cleanStart, context: context)
        loop = LoopControl()
        try configure()
    }

    private func configure() throws(MQTTError) {
        let c = configuration
        let raw = handle.raw
        try handle.check("set protocol version", mosquitto_int_option(raw, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5))
        try handle.check("set send maximum", mosquitto_int_option(raw, MOSQ_OPT_SEND_MAXIMUM, c.sendMaximum))
        if c.username != nil || c.password != nil {
            try handle.check("set credentials", mosquitto_username_pw_set(raw, c.username, c.password))
        }
        if let will = c.will {
            let rc = will.payload.withUnsafeBytes { buf in
                mosquitto_will_set_v5(raw, will.topic, Int32(buf.count), buf.baseAddress, will.qos, will.retain, nil)
            }
            try handle.check("set last will", rc)
        }
        if let tls = c.tls {
            // libmosquitto answers an unreadable file with a bare "Invalid arguments provided."
            // Name the file and the reason instead.
            for (what, path) in [("CA file", tls.caFile), ("certificate file", tls.certFile), ("key file", tls.keyFile)] {
                guard let path else { continue }
                guard let f = fopen(path, "r") else {
                    let reason = String(cString: strerror(errno))
                    throw MQTTError(operation: "set TLS", code: .tls, message: "cannot read \(what) \(path): \(reason)")
                }
                fclose(f)
            }
            if (tls.certFile == nil) != (tls.keyFile == nil) {
                throw MQTTError(operation: "set TLS", code: .invalid, message: "a client certificate and its key go together")
            }
            // No passphrase prompt: without this callback OpenSSL would ask on the terminal for
            // an encrypted key, which hangs a service. An encrypted key fails to load instead.
            try handle.check(
                "set TLS",
                mosquitto_tls_set(raw, tls.caFile, nil, tls.certFile, tls.keyFile) { _, _, _, _ in 0 })
        }
        // OpenSSL's reasons for a failed handshake reach us only through libmosquitto's log.
        // 0x0C: MOSQ_LOG_WARNING | MOSQ_LOG_ERR.
        mosquitto_log_callback_set(raw) { _, obj, level, line in
            guard let obj, let line, level & 0x0C != 0 else { return }
            Unmanaged<CallbackContext>.fromOpaque(obj).takeUnretainedValue().logged(String(cString: line))
        }
        mosquitto_connect_v5_callback_set(raw) { mosq, obj, rc, flags, _ in
            guard let obj else { return }
            let ctx = Unmanaged<CallbackContext>.fromOpaque(obj).takeUnretainedValue()
            // Subscribe again on every connect, before anyone hears of it: a session the broker
            // lost (restart without persistence) must not leave us deaf.
            if rc == 0 {
                for sub in ctx.state.withLock({ $0.subscriptions }) {
                    mosquitto_subscribe_v5(mosq, nil, sub.filter, sub.qos, 0, nil)
                }
            }
            ctx.onConnect(rc: rc, flags: flags)
        }
        mosquitto_disconnect_v5_callback_set(raw) { _, obj, rc, _ in
            guard let obj else { return }
            let ctx = Unmanaged<CallbackContext>.fromOpaque(obj).takeUnretainedValue()
            let wasConnected = ctx.state.withLock { s in
                defer { s.connected = false }
                return s.connected
            }
            // A connection that never got its CONNACK (refused, or a failed TLS handshake) is
            // reported once, by the loop thread, as `connectFailed` with what libmosquitto logged.
            guard wasConnected else { return }
            var reason = rc == 0 ? "disconnected" : String(cString: mosquitto_strerror(rc))
            if rc != 0 { reason = ctx.explained(reason) }
            ctx.events.yield(.disconnected(reason: reason))
        }
        mosquitto_publish_v5_callback_set(raw) { _, obj, mid, reasonCode, _ in
            guard let obj else { return }
            Unmanaged<CallbackContext>.fromOpaque(obj).takeUnretainedValue().published(mid: mid, reasonCode: reasonCode)
        }
        mosquitto_message_v5_callback_set(raw) { _, obj, message, _ in
            guard let obj, let m = message?.pointee, let topic = m.topic else { return }
            let ctx = Unmanaged<CallbackContext>.fromOpaque(obj).takeUnretainedValue()
            var payload: [UInt8] = []
            if m.payloadlen > 0, let p = m.payload {
                payload = Array(UnsafeRawBufferPointer(start: p, count: Int(m.payloadlen)))
            }
            ctx.messages.yield(MQTTMessage(topic: String(cString: topic), payload: payload, qos: m.qos, retained: m.retain))
        }
    }

    /// Whether a CONNACK has been accepted and the connection is up.
    public var isConnected: Bool { context.state.withLock { $0.connected } }

    /// Adds a subscription, kept for the client's life and renewed on every (re)connect.
    public func subscribe(_ filter: String, qos: Int32 = 1) throws(MQTTError) {
        let connected = context.state.withLock { s in
            s.subscriptions.append((filter, qos))
            return s.connected
        }
        if connected {
            let rc = mosquitto_subscribe_v5(handle.raw, nil, filter, qos, 0, nil)
            if rc != MOSQ_ERR_NO_CONN.rawValue { try handle.check("subscribe \(filter)", rc) }
        }
    }

    /// Publishes and, for QoS 1, returns when the broker's PUBACK arrives.
    ///
    /// While disconnected the message stays queued in libmosquitto and goes out after the
    /// reconnect (so this call may wait long); it is never sent twice by this method.
    /// - Throws: ``MQTTError`` if the message cannot be queued, the broker rejects it, or the
    ///   client stops first.
    public func publish(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false) async throws {
        if qos == 0 {
            _ = try send(topic: topic, payload: payload, qos: 0, retain: retain)
            return
        }
        try await enqueue(topic: topic, payload: payload, retain: retain).acknowledged()
    }

    /// Hands a QoS 1 message to libmosquitto now, in call order, and returns a ticket whose
    /// ``PendingPublish/acknowledged()`` waits for the PUBACK. Call it exactly once.
    public func enqueue(topic: String, payload: [UInt8], retain: Bool = false) throws(MQTTError) -> PendingPublish {
        context.state.withLock { $0.registering += 1 }
        let mid: Int32
        do {
            mid = try send(topic: topic, payload: payload, qos: 1, retain: retain)
        } catch {
            context.state.withLock { s in
                s.registering -= 1
                if s.registering == 0 { s.early.removeAll() }
            }
            throw error
        }
        // Settle the race with the loop thread here, so nothing is left behind for ids
        // that nobody registers (QoS 0, `send`) once no enqueue is in flight.
        context.state.withLock { s in
            s.registering -= 1
            if let rc = s.early.removeValue(forKey: mid) { s.done[mid] = rc } else { s.awaiting.insert(mid) }
            if s.registering == 0 { s.early.removeAll() }
        }
        return PendingPublish(mid: mid, client: self)
    }

    func waitForAck(mid: Int32) async throws {
        let context = self.context
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, any Error>) in
                let settled: Int32? = context.state.withLock { s in
                    s.awaiting.remove(mid)
                    if let rc = s.done.removeValue(forKey: mid) { return rc }
                    if loop.isStopped || Task.isCancelled { return -1 }
                    s.waiters[mid] = cont
                    return nil
                }
                if let settled {
                    if settled == -1 {
                        cont.resume(throwing: MQTTError(operation: "publish", code: .stopped, message: "client stopped or wait cancelled"))
                    } else {
                        CallbackContext.finish(cont, reasonCode: settled)
                    }
                }
            }
        } onCancel: {
            // Resume only if the waiter is still registered: never twice.
            let waiter = context.state.withLock { $0.waiters.removeValue(forKey: mid) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Forgets a ticket whose PUBACK nobody will wait for.
    func discard(mid: Int32) {
        context.state.withLock { s in
            s.awaiting.remove(mid)
            s.done.removeValue(forKey: mid)
        }
    }

    /// Queues a publish without waiting; returns libmosquitto's message id.
    @discardableResult
    public func send(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false) throws(MQTTError) -> Int32 {
        var mid: Int32 = 0
        let rc = payload.withUnsafeBytes { buf in
            mosquitto_publish_v5(handle.raw, &mid, topic, Int32(buf.count), buf.baseAddress, qos, retain, nil)
        }
        // NO_CONN still queues the message: it goes out after reconnect. Retrying would duplicate it.
        if rc != MOSQ_ERR_NO_CONN.rawValue { try handle.check("publish \(topic)", rc) }
        return mid
    }
}

extension CallbackContext {
    func onConnect(rc: Int32, flags: Int32) {
        guard rc == 0 else {
            let reason = String(cString: mosquitto_reason_string(rc))
            state.withLock { $0.lastRefusal = reason }
            events.yield(
                .connectFailed(MQTTError(operation: "connect", code: rc == 134 || rc == 135 || rc == 5 || rc == 4 ? .notAuthorized : .connectionRefused, message: "broker refused the connection: \(reason)")))
            return
        }
        state.withLock {
            $0.connected = true
            $0.lastRefusal = nil
        }
        events.yield(.connected(sessionPresent: flags & 1 == 1))
    }
}

/// A QoS 1 message already handed to libmosquitto, waiting for its PUBACK.
public struct PendingPublish: Sendable {
    public let mid: Int32
    let client: MQTTClient

    /// Returns when the broker acknowledged the message.
    /// - Throws: ``MQTTError`` when the broker rejects it or the client stops first.
    public func acknowledged() async throws { try await client.waitForAck(mid: mid) }

    /// Gives up on the PUBACK (the message still goes out); frees what the ticket holds.
    public func discard() { client.discard(mid: mid) }
}
