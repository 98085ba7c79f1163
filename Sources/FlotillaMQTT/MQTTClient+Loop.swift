import CMosquitto
import Foundation
import Synchronization

/// Stop flag and wake-up for the loop thread.
final class LoopControl: Sendable {
    private struct State {
        var started = false
        var stopped = false
        var finished: [CheckedContinuation<Void, Never>] = []
        var done = false
    }

    private let state = Mutex(State())
    /// Wakes the loop thread from a backoff sleep when stopping.
    let wake = DispatchSemaphore(value: 0)

    var isStopped: Bool { state.withLock { $0.stopped } }

    func markStarted() -> Bool {
        state.withLock { s in
            guard !s.started else { return false }
            s.started = true
            return true
        }
    }

    func stop() -> Bool {
        state.withLock { s in
            let first = !s.stopped
            s.stopped = true
            return first && s.started
        }
    }

    func finish() {
        let waiters = state.withLock { s in
            s.done = true
            let w = s.finished
            s.finished.removeAll()
            return w
        }
        for w in waiters { w.resume() }
    }

    func waitFinished() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s in
                if s.done || !s.started { return true }
                s.finished.append(c)
                return false
            }
            if done { c.resume() }
        }
    }
}

extension MQTTClient {
    /// Starts the network thread: connect, loop, and on any loss reconnect after a jittered
    /// exponential backoff, until ``stop()``. Returns at once.
    public func start() {
        guard loop.markStarted() else { return }
        let thread = Thread { [self] in
            self.runLoop()
            self.loop.finish()
        }
        thread.name = "mqtt-\(configuration.clientID)"
        thread.start()
    }

    /// Disconnects cleanly (the broker does not publish the will), ends the loop thread, and
    /// fails publishes still waiting for a PUBACK.
    public func stop() async {
        if loop.stop() {
            mosquitto_disconnect_v5(handle.raw, 0, nil)
            loop.wake.signal()
            await loop.waitFinished()
        }
        context.failAll(MQTTError(operation: "publish", code: .stopped, message: "client stopped"))
        context.messages.finish()
        context.events.finish()
    }

    private func runLoop() {
        let c = configuration
        var delay = c.reconnectMin
        while !loop.isStopped {
            var props: OpaquePointer? = nil
            mosquitto_property_add_int32(&props, Int32(MQTT_PROP_SESSION_EXPIRY_INTERVAL.rawValue), c.sessionExpiry)
            _ = context.takeErrorLog()
            context.state.withLock { $0.lastRefusal = nil }
            // With TLS this also loads the CA, certificate and key, and starts the handshake.
            let rc = mosquitto_connect_bind_v5(handle.raw, c.host, c.port, c.keepalive, nil, props)
            mosquitto_property_free_all(&props)
            let operation = "connect to \(c.host):\(c.port)"
            if rc == MOSQ_ERR_SUCCESS.rawValue {
                var acceptedThisTime = false
                var lrc = MOSQ_ERR_SUCCESS.rawValue
                while !loop.isStopped || isConnected {
                    lrc = mosquitto_loop(handle.raw, 200, 1)
                    if isConnected && !acceptedThisTime {
                        acceptedThisTime = true
                        delay = c.reconnectMin
                    }
                    if lrc != MOSQ_ERR_SUCCESS.rawValue { break }
                }
                context.state.withLock { $0.connected = false }
                if !acceptedThisTime, context.state.withLock({ $0.lastRefusal }) == nil, !loop.isStopped {
                    // The TLS handshake runs here, after connect returned: a server that does not
                    // verify, or a broker that refuses our certificate, ends the loop with
                    // MOSQ_ERR_TLS (or a lost connection) and OpenSSL's reason in the log.
                    var error =
                        lrc == MOSQ_ERR_SUCCESS.rawValue
                        ? MQTTError(operation: operation, code: .connectionLost, message: "connection closed before CONNACK")
                        : MQTTError(operation: operation, rc: lrc)
                    let lines = context.takeErrorLog()
                    if c.tls != nil, error.code != .tls, lines.contains(where: { $0.hasPrefix("OpenSSL Error") }) {
                        // The broker's alert (no certificate, unknown CA) arrives as a lost
                        // connection: it is a TLS refusal all the same.
                        error.code = .tls
                        if error.message.hasSuffix(".") { error.message.removeLast() }
                        error.message += " in the TLS handshake."
                    }
                    error.message = context.explained(error.message, lines: lines)
                    logger.debug("connect failed", metadata: ["error": "\(error)"])
                    context.events.yield(.connectFailed(error))
                }
            } else {
                var error = MQTTError(operation: operation, rc: rc)
                error.message = context.explained(error.message)
                logger.debug("connect failed", metadata: ["error": "\(error)"])
                context.events.yield(.connectFailed(error))
            }
            if loop.isStopped { break }
            // Full jitter: after a broker restart thousands of spokes must not reconnect in lock-step.
            let sleep = Double.random(in: 0...delay)
            _ = loop.wake.wait(timeout: .now() + sleep)
            delay = min(c.reconnectMax, max(c.reconnectMin, delay * 2))
        }
    }
}
