#if os(Linux)
import CMosquitto
import Foundation

/// The state of an ``EpollDriver``'s thread, touched by that thread only: which connection
/// owns which socket, what each waits for, and when each next attempt is due.
final class EpollLoop {
    /// One connection on this loop.
    final class Entry {
        enum Phase {
            /// Between attempts, until the deadline.
            case waiting(until: ContinuousClock.Instant)
            /// An attempt is under way: its socket, if any, is registered.
            case attempting
        }

        let connection: MQTTConnection
        let token: UInt64
        var phase: Phase = .attempting
        /// The socket registered for this entry, or -1.
        var fd: Int32 = -1
        /// What the registration reports with: new for every socket, so that events of a
        /// registration left behind are recognised as stale.
        var key: UInt64 = 0
        var interest: UInt32 = 0
        /// One-shot registrations are disarmed by each event they report, until re-armed.
        var armed = false
        /// The connection is stopping; resumed once the loop lets go of it.
        var departure: CheckedContinuation<Void, Never>?

        init(connection: MQTTConnection, token: UInt64) {
            self.connection = connection
            self.token = token
        }

        var isAttempting: Bool {
            if case .attempting = phase { return true }
            return false
        }
    }

    private let driver: EpollDriver
    private let clock = ContinuousClock()
    private var entries: [UInt64: Entry] = [:]
    private var tokens: [ObjectIdentifier: UInt64] = [:]
    /// Which entry registered each socket, so that a stale entry never removes a newer
    /// registration of a reused descriptor number.
    private var owners: [Int32: UInt64] = [:]
    /// Live registrations by the key their events carry.
    private var registrations: [UInt64: Entry] = [:]
    private var timers = TimerQueue()
    private var nextToken: UInt64 = 1
    private var nextKey = Epoll.wakeToken + 1

    init(driver: EpollDriver) {
        self.driver = driver
    }

    func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 512)
        var nextMisc = clock.now + .seconds(1)
        while true {
            let delivery = driver.collect()
            for connection in delivery.arrivals { arrive(connection) }
            for (connection, waiter) in delivery.departures { depart(connection, waiter) }
            for id in delivery.output {
                if let token = tokens[id], let entry = entries[token] { flush(entry) }
            }
            if delivery.stopping && entries.isEmpty { break }

            var count = 0
            do {
                count = try driver.epoll.wait(&events, timeoutMilliseconds: timeout(until: nextMisc))
            } catch {
                driver.logger.error("epoll_wait failed", metadata: ["error": "\(error)"])
            }
            for event in events.prefix(count) {
                if event.data.u64 == Epoll.wakeToken {
                    driver.epoll.drainWake()
                } else {
                    ready(event.data.u64, flags: event.events)
                }
            }
            fireTimers()
            if clock.now >= nextMisc {
                misc()
                nextMisc = clock.now + .seconds(1)
            }
        }
        driver.close()
    }

    // MARK: connections coming and going

    private func arrive(_ connection: MQTTConnection) {
        let entry = Entry(connection: connection, token: nextToken)
        nextToken += 1
        entries[entry.token] = entry
        tokens[ObjectIdentifier(connection)] = entry.token
        begin(entry)
    }

    private func depart(_ connection: MQTTConnection, _ waiter: CheckedContinuation<Void, Never>) {
        guard let token = tokens[ObjectIdentifier(connection)], let entry = entries[token] else { return waiter.resume() }
        entry.departure = waiter
        if entry.isAttempting, entry.fd >= 0, connection.isConnected {
            // Let the DISCONNECT that `stop()` queued go out: libmosquitto closes the socket once
            // it is written, and `settle` lets go of the connection then.
            flush(entry)
        } else {
            if entry.isAttempting { _ = connection.endAttempt(.success) }
            remove(entry)
        }
    }

    private func remove(_ entry: Entry) {
        deregister(entry)
        entries[entry.token] = nil
        tokens[ObjectIdentifier(entry.connection)] = nil
        entry.departure?.resume()
        entry.departure = nil
    }

    // MARK: attempts

    private func begin(_ entry: Entry) {
        switch entry.connection.beginAttempt(blocking: false) {
        case .stopped: remove(entry)
        case .retry(let delay): wait(entry, seconds: delay)
        case .started:
            entry.phase = .attempting
            settle(entry, .success, hangup: false)
        }
    }

    private func wait(_ entry: Entry, seconds: Double) {
        // At least a millisecond, so that a zero delay cannot spin inside one `fireTimers`.
        let deadline = clock.now + .milliseconds(max(1, Int64(seconds * 1000)))
        entry.phase = .waiting(until: deadline)
        timers.schedule(entry.token, at: deadline)
    }

    private func fireTimers() {
        let now = clock.now
        while let (deadline, token) = timers.popDue(now) {
            guard let entry = entries[token], case .waiting(let until) = entry.phase, until == deadline else { continue }
            begin(entry)
        }
    }

    /// After any call on a connection: follows its socket (a new one after a reconnect, none
    /// after a close) and what it waits for, or ends the attempt.
    private func settle(_ entry: Entry, _ result: MosquittoResult, hangup: Bool) {
        guard entry.isAttempting else { return }
        let handle = entry.connection.handle
        let socket = handle.socket
        var ending: MosquittoResult? = nil
        if socket < 0 || !result.isSuccess {
            ending = result
        } else if hangup && socket == entry.fd {
            // A hang-up libmosquitto did not act on (a reset in the middle of a TLS handshake
            // reads as "try again"): the next attempt closes the socket.
            ending = MosquittoResult(code: .connectionLost, errno: 0)
        } else if let failure = register(entry, socket: socket, writing: handle.wantsWrite) {
            ending = failure
        }
        guard let ending else { return }
        deregister(entry)
        let delay = entry.connection.endAttempt(ending)
        if let delay, entry.departure == nil { wait(entry, seconds: delay) } else { remove(entry) }
    }

    // MARK: sockets

    private func ready(_ key: UInt64, flags: UInt32) {
        // A key with no live registration: a socket libmosquitto closed while a child process
        // still held a copy of it, so the kernel kept its registration. One-shot, it fires once.
        guard let entry = registrations[key], entry.isAttempting else { return }
        entry.armed = false
        let handle = entry.connection.handle
        let hangup = flags & (EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
        var result = MosquittoResult.success
        // Before the CONNACK, only `loop_read` advances a TCP connect's error or a TLS handshake,
        // whichever way the socket became ready; reading with nothing there costs one EAGAIN.
        if flags & EPOLLIN.rawValue != 0 || hangup || !entry.connection.isConnected {
            result = handle.loopRead()
        }
        if result.isSuccess, flags & EPOLLOUT.rawValue != 0, handle.socket == entry.fd {
            result = handle.loopWrite()
        }
        settle(entry, result, hangup: hangup)
    }

    /// Writes what was queued from another thread, without waiting for EPOLLOUT: the socket is
    /// almost always writable, and if not libmosquitto keeps the rest and asks again.
    private func flush(_ entry: Entry) {
        guard entry.isAttempting, entry.fd >= 0 else { return }
        settle(entry, entry.connection.handle.loopWrite(), hangup: false)
    }

    /// Keepalive for every connection with a socket: PINGREQ when due, and the end of a
    /// connection (or a connect) that stopped answering.
    private func misc() {
        for entry in Array(entries.values) where entry.isAttempting && entry.fd >= 0 {
            settle(entry, entry.connection.handle.loopMisc(), hangup: false)
        }
    }

    /// Watches `socket` for reading, and for writing when libmosquitto has something to write.
    /// Returns the failure if epoll refuses the socket.
    ///
    /// Registrations are one-shot. libmosquitto's sockets are inherited by child processes
    /// started before `FD_CLOEXEC` is set on them; when libmosquitto closes such a socket the
    /// kernel keeps its registration, which no `EPOLL_CTL_DEL` can reach any more. Level-triggered,
    /// its hang-up would fire for ever; one-shot, it fires once, with a key nobody owns.
    private func register(_ entry: Entry, socket: Int32, writing: Bool) -> MosquittoResult? {
        let interest = EPOLLIN.rawValue | EPOLLONESHOT.rawValue | (writing ? EPOLLOUT.rawValue : 0)
        if socket == entry.fd {
            guard interest != entry.interest || !entry.armed else { return nil }
            if let error = driver.epoll.control(EPOLL_CTL_MOD, socket, token: entry.key, events: interest) {
                return failure(error)
            }
            entry.interest = interest
            entry.armed = true
            return nil
        }
        deregister(entry)
        let key = nextKey
        nextKey += 1
        if let error = driver.epoll.control(EPOLL_CTL_ADD, socket, token: key, events: interest) { return failure(error) }
        registrations[key] = entry
        owners[socket] = entry.token
        entry.fd = socket
        entry.key = key
        entry.interest = interest
        entry.armed = true
        return nil
    }

    private func deregister(_ entry: Entry) {
        guard entry.fd >= 0 else { return }
        registrations[entry.key] = nil
        if owners[entry.fd] == entry.token {
            owners[entry.fd] = nil
            // Fails harmlessly (EBADF, ENOENT) when libmosquitto closed the socket already: the
            // kernel dropped the registration with it (unless a child holds a copy, see `register`).
            _ = driver.epoll.control(EPOLL_CTL_DEL, entry.fd)
        }
        entry.fd = -1
        entry.interest = 0
        entry.armed = false
    }

    private func failure(_ error: MQTTError) -> MosquittoResult {
        driver.logger.error("cannot watch a connection's socket", metadata: ["error": "\(error)"])
        return MosquittoResult(code: .errno, errno: error.systemError ?? 0)
    }

    /// Until the next reconnect deadline or keepalive round, in whole milliseconds rounded up.
    private func timeout(until nextMisc: ContinuousClock.Instant) -> Int32 {
        var deadline = nextMisc
        if let next = timers.next, next < deadline { deadline = next }
        let remaining = deadline - clock.now
        guard remaining > .zero else { return 0 }
        let (seconds, attoseconds) = remaining.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1
        return Int32(min(milliseconds, 1000))
    }
}
#endif
