/// The connection's side of a driver: one connection attempt at a time, from `beginAttempt` to
/// `endAttempt`, with the backoff between attempts decided here. Drivers only move sockets.
extension MQTTConnection {
    /// How an attempt started.
    enum AttemptStart {
        /// The connect is under way: drive the socket, then call ``endAttempt(_:)``.
        case started
        /// It failed at once (reported already): try again after this many seconds.
        case retry(after: Double)
        /// ``stop()`` was called: let go of the connection.
        case stopped
    }

    /// Starts an attempt. `blocking`: connect before returning (for `mosquitto_loop`); otherwise
    /// only start a non-blocking connect whose socket becomes writable when it completes.
    func beginAttempt(blocking: Bool) -> AttemptStart {
        let proceed = core.state.withLock { s in
            guard !s.stopRequested else { return false }
            s.errorLog.removeAll()
            s.lastRefusal = nil
            s.acceptedThisAttempt = false
            return true
        }
        guard proceed else { return .stopped }
        let c = configuration
        // With TLS this also loads the CA, certificate and key, and (blocking) does the handshake.
        let result = handle.connect(
            host: c.host, port: c.port, keepalive: c.keepalive, sessionExpiry: c.sessionExpiry, bindAddress: c.bindAddress,
            blocking: blocking)
        if result.isSuccess { return .started }
        var error = MQTTError(operation: connectOperation, result)
        error.message = core.explained(error.message)
        logger.debug("connect failed", metadata: ["error": "\(error)"])
        core.events.yield(.connectFailed(error))
        return core.state.withLock { s in s.stopRequested ? .stopped : .retry(after: s.backoff.next()) }
    }

    /// The attempt is over: its socket closed, or the driver gave up on it with `result` (the
    /// code of the call that ended it, with its errno). Reports an attempt that never got its
    /// CONNACK, unless the broker's refusal was reported already. Returns the seconds to wait
    /// before the next attempt, or `nil` once ``stop()`` was called.
    func endAttempt(_ result: MosquittoResult) -> Double? {
        let (accepted, refused, stopped) = core.state.withLock { s in
            s.connected = false
            return (s.acceptedThisAttempt, s.lastRefusal != nil, s.stopRequested)
        }
        if !accepted, !refused, !stopped {
            // The TLS handshake runs after connect returned: a server that does not verify, or a
            // broker that refuses our certificate, ends the attempt with MOSQ_ERR_TLS (or a lost
            // connection) and OpenSSL's reason in the log.
            var error =
                result.isSuccess
                ? MQTTError(operation: connectOperation, code: .connectionLost, message: "connection closed before CONNACK")
                : MQTTError(operation: connectOperation, result)
            let lines = core.takeErrorLog()
            if configuration.tls != nil, error.code != .tls, lines.contains(where: { $0.hasPrefix("OpenSSL Error") }) {
                // The broker's alert (no certificate, unknown CA) arrives as a lost connection:
                // it is a TLS refusal all the same.
                error.code = .tls
                if error.message.hasSuffix(".") { error.message.removeLast() }
                error.message += " in the TLS handshake."
            }
            error.message = core.explained(error.message, lines: lines)
            logger.debug("connect failed", metadata: ["error": "\(error)"])
            core.events.yield(.connectFailed(error))
        }
        return core.state.withLock { s in s.stopRequested ? nil : s.backoff.next() }
    }

    /// Whether a blocking loop should go on: until stopped, and after that until the DISCONNECT
    /// queued by ``stop()`` has gone out and closed the connection.
    var keepsLooping: Bool { core.state.withLock { !$0.stopRequested || $0.connected } }

    private var connectOperation: String { "connect to \(configuration.host):\(configuration.port)" }
}
