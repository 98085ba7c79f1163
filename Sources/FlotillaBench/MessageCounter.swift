import FlotillaMQTT
import Foundation
import Synchronization

/// A bare libmosquitto subscriber that only counts what arrives on its filter, with the times
/// of the first and the last message: the raw limit of receiving from the broker.
final class MessageCounter: Sendable {
    struct State: Sendable {
        var count = 0
        var bytes = 0
        var first: ContinuousClock.Instant?
        var last: ContinuousClock.Instant?
        var ready = false
    }

    let client: MQTTClient
    let readyTopic: String
    let state = Mutex(State())
    private let consumer = Mutex<Task<Void, Never>?>(nil)

    init(port: Int32, id: String, filter: String) throws {
        readyTopic = "bench/ready/\(id)"
        client = try BenchMQTT.client(port: port, id: id, subscriptions: [readyTopic, filter])
        let task = Task { [self] in await self.consume() }
        consumer.withLock { $0 = task }
    }

    /// Counts every message until the client stops (which ends the stream).
    private func consume() async {
        for await message in client.messages {
            let now = ContinuousClock.now
            state.withLock { s in
                if message.topic == readyTopic {
                    s.ready = true
                    return
                }
                s.count += 1
                s.bytes += message.payload.count
                if s.first == nil { s.first = now }
                s.last = now
            }
        }
    }

    func snapshot() -> State { state.withLock { $0 } }

    func reset() {
        state.withLock { s in
            let ready = s.ready
            s = State()
            s.ready = ready
        }
    }

    func stop() async {
        consumer.withLock { $0?.cancel() }
        await client.stop()
    }
}
