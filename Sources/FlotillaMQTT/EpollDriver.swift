#if os(Linux)
import Foundation
import Logging
import Synchronization

/// One thread driving many connections through libmosquitto's external-loop API
/// (`mosquitto_socket`, `mosquitto_loop_read`, `mosquitto_loop_write`, `mosquitto_loop_misc`,
/// `mosquitto_want_write`) and `epoll_wait`, with no limit on descriptor numbers.
///
/// Connects are non-blocking, so one slow broker or handshake stalls no other connection (only a
/// host name's lookup still blocks: give addresses). Each connection gets a new socket on every
/// attempt; the driver follows it. Reconnects use the connection's jittered backoff, timed here.
///
/// Creating the driver raises the process's soft `RLIMIT_NOFILE` to its hard limit: each
/// connection holds three descriptors. The thread starts with the first connection and ends with
/// ``stop()``.
public final class EpollDriver: MQTTDriver {
    /// The open-file limit in force after raising it.
    public let fileDescriptorLimit: FileDescriptorLimit
    let epoll: Epoll
    let logger: Logger
    private let mailbox = Mutex(Mailbox())
    private let finished = Completion()

    /// What other threads hand to the loop thread.
    private struct Mailbox {
        var attached: [ObjectIdentifier: MQTTConnection] = [:]
        var arrivals: [MQTTConnection] = []
        var departures: [(MQTTConnection, CheckedContinuation<Void, Never>)] = []
        var output: Set<ObjectIdentifier> = []
        /// A wake-up is pending: the loop has not collected since the last one.
        var signalled = false
        var threadStarted = false
        var stopping = false
        /// The loop thread has ended: nothing more is delivered.
        var closed = false
    }

    /// What the loop thread collects in one go.
    struct Delivery {
        var arrivals: [MQTTConnection]
        var departures: [(MQTTConnection, CheckedContinuation<Void, Never>)]
        var output: Set<ObjectIdentifier>
        var stopping: Bool
    }

    /// Creates the epoll instance and its wake-up eventfd, and raises the open-file limit.
    /// - Throws: ``MQTTError`` with the errno of `epoll_create1` or `eventfd`.
    public init(logger: Logger = Logger(label: "flotilla.mqtt.epoll")) throws(MQTTError) {
        fileDescriptorLimit = .raiseSoftToHard()
        epoll = try Epoll()
        self.logger = logger
    }

    /// Connections attached and not yet detached.
    public var connectionCount: Int { mailbox.withLock { $0.attached.count } }

    public func attach(_ connection: MQTTConnection) {
        var startThread = false
        let accepted = post { m in
            guard !m.stopping, !m.closed else { return false }
            m.attached[ObjectIdentifier(connection)] = connection
            m.arrivals.append(connection)
            startThread = !m.threadStarted
            m.threadStarted = true
            return true
        }
        guard accepted else {
            logger.warning("driver stopped: connection not started", metadata: ["client": "\(connection.configuration.clientID)"])
            return
        }
        if startThread {
            let thread = Thread { [self] in
                EpollLoop(driver: self).run()
                finished.finish()
            }
            thread.name = "mqtt-epoll"
            thread.start()
        }
    }

    public func detach(_ connection: MQTTConnection) async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let queued = post { m in
                guard !m.closed, m.attached.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return false }
                m.departures.append((connection, waiter))
                return true
            }
            if !queued { waiter.resume() }
        }
    }

    public func connectionHasOutput(_ connection: MQTTConnection) {
        post { m in m.output.insert(ObjectIdentifier(connection)).inserted }
    }

    /// Stops every connection on this driver, as each one's ``MQTTConnection/stop()`` does (a
    /// clean DISCONNECT, pending PUBACK waits failed, streams ended), then ends the thread.
    /// Connections attached afterwards are not started.
    public func stop() async {
        let connections = mailbox.withLock { m in
            m.stopping = true
            return Array(m.attached.values)
        }
        await withTaskGroup(of: Void.self) { group in
            for connection in connections { group.addTask { await connection.stop() } }
        }
        // Wakes the loop so that it sees `stopping` with no connections left, and ends.
        let started = post { m in m.threadStarted }
        if started { await finished.wait() }
    }

    /// Changes the mailbox; if `change` says it did, wakes the loop thread unless a wake-up is
    /// pending already. Returns what `change` returned.
    @discardableResult
    private func post(_ change: (inout Mailbox) -> Bool) -> Bool {
        let (changed, wake) = mailbox.withLock { m in
            guard change(&m) else { return (false, false) }
            defer { m.signalled = true }
            return (true, !m.signalled)
        }
        if wake { epoll.wake() }
        return changed
    }

    /// For the loop thread: everything posted since the last call.
    func collect() -> Delivery {
        mailbox.withLock { m in
            m.signalled = false
            defer {
                m.arrivals.removeAll()
                m.departures.removeAll()
                m.output.removeAll()
            }
            return Delivery(arrivals: m.arrivals, departures: m.departures, output: m.output, stopping: m.stopping)
        }
    }

    /// For the loop thread, as it ends: detaches from now on return at once.
    func close() {
        let pending = mailbox.withLock { m in
            m.closed = true
            defer { m.departures.removeAll() }
            return m.departures
        }
        for (_, waiter) in pending { waiter.resume() }
    }
}
#endif
