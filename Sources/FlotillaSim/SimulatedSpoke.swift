import FlotillaMQTT
import FlotillaWire
import Foundation
import Synchronization

/// One simulated spoke: a real MQTT 5 connection (client id = spoke name, persistent session,
/// will = offline presence) and the agent's side of the protocol, with a null applier and an
/// in-memory outbox. Its messages and events are read by two tasks; everything it knows sits
/// behind one lock, which publishes are made under, so reports leave in sequence order.
final class SimulatedSpoke: Sendable {
    let name: String
    let connection: MQTTConnection
    let fleet: FleetContext
    let state = Mutex(SpokeState())

    init(name: String, connection: MQTTConnection, fleet: FleetContext) {
        self.name = name
        self.connection = connection
        self.fleet = fleet
    }

    /// Subscribes (renewed by the connection on every connect) and hands the connection to its driver.
    func start() throws(MQTTError) {
        try connection.subscribe(fleet.topics.desired(name), qos: 1)
        try connection.subscribe(fleet.topics.ack(name), qos: 1)
        connection.start()
    }

    func consumeEvents() async {
        for await event in connection.events {
            switch event {
            case .connected: connected()
            case .disconnected: disconnected(failure: false)
            case .connectFailed: disconnected(failure: true)
            }
        }
        disconnected(failure: false)
    }

    func consumeMessages() async {
        for await message in connection.messages {
            guard let (spoke, channel) = fleet.topics.parse(message.topic), spoke == name else { continue }
            switch channel {
            case .desired: await receive(envelope: message.payload)
            case .ack:
                guard let ack = Ack.decode(message.payload) else {
                    fleet.logger.warning("ignoring malformed ack", metadata: ["spoke": "\(name)", "bytes": "\(message.payload.count)"])
                    continue
                }
                acknowledge(ack)
            default: continue
            }
        }
    }

    /// On every connect, as the agent: announce presence, then send every unacknowledged report
    /// again (anything may have been lost with the old connection).
    private func connected() {
        state.withLock { s in
            let wasConnected = s.connected
            s.connected = true
            fleet.tally.update { c in
                c.connects += 1
                if !wasConnected { c.connected += 1 }
            }
            if !s.announcedStart {
                // The agent's "agent started" event, written once per run.
                s.announcedStart = true
                s.write(.event, message: "simulated spoke started (applier \(FleetSimulator.applierName))")
                fleet.tally.update { $0.reportsWritten += 1 }
            }
            announce(&s)
            s.sentThrough = s.acked
            s.lastProgress = .now
            pump(&s)
        }
    }

    private func disconnected(failure: Bool) {
        state.withLock { s in
            let wasConnected = s.connected
            s.connected = false
            fleet.tally.update { c in
                if failure { c.connectFailures += 1 }
                if wasConnected {
                    c.connected -= 1
                    c.disconnects += 1
                }
            }
        }
    }

    /// Publishes retained online presence (not once the hub cleared this spoke).
    func announce(_ s: inout SpokeState) {
        guard !s.retired else { return }
        _ = try? connection.send(topic: fleet.topics.presence(name), payload: s.presence().encoded(), qos: 1, retain: true)
    }

    /// A graceful stop's presence, as the agent's: offline, with the generation running.
    /// Returns whether it was queued.
    func announceOffline() -> Bool {
        state.withLock { s in
            guard s.connected, !s.retired else { return false }
            let offline = Presence(state: .offline, appliedGeneration: s.appliedGeneration > 0 ? s.appliedGeneration : nil)
            return (try? connection.send(topic: fleet.topics.presence(name), payload: offline.encoded(), qos: 1, retain: true)) != nil
        }
    }

    var appliedGeneration: Int64 { state.withLock { $0.appliedGeneration } }
    var isConnected: Bool { state.withLock { $0.connected } }
}
