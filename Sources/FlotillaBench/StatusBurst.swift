import FlotillaConcurrency
import FlotillaModel
import FlotillaWire
import Foundation

/// The status reports a fleet sends after a bundle: per spoke a fresh epoch (a new agent
/// database, so nothing the hub has seen) and `count` reports numbered from 1: `received`, then
/// `applied` with every object of the spoke's current bundle, as our agent reports them.
struct StatusBurst: Sendable {
    struct Spoke: Sendable {
        var name: String
        /// Encoded reports, in sequence order.
        var reports: [[UInt8]]
        var objects: Int
    }

    var spokes: [Spoke]

    var reportCount: Int { spokes.reduce(0) { $0 + $1.reports.count } }
    var bytes: Int { spokes.reduce(0) { $0 + $1.reports.reduce(0) { $0 + $1.count } } }

    /// Builds the reports from each spoke's newest envelope (decoded as an agent decodes it,
    /// without the signature check), on every core.
    static func make(envelopes: [(spoke: String, envelope: [UInt8])], count: Int) throws -> StatusBurst {
        let now = Date().timeIntervalSince1970
        let built: [Result<Spoke, BenchError>] = ParallelMap.map(envelopes.count) { i in
            let (name, bytes) = envelopes[i]
            let envelope: Envelope
            let refs: [ObjectRef]
            do {
                envelope = try Envelope.decode(bytes, trustedKeys: [], maxBytes: .max)
                refs = try Self.refs(inPayload: envelope.payload)
            } catch {
                return .failure(BenchError("the hub's bundle for \(name) does not decode: \(error)"))
            }
            let epoch = UUID().uuidString.lowercased()
            let objects = refs.map { ObjectStatus(ref: $0, state: .applied) }
            var reports: [[UInt8]] = []
            for seq in 1...count {
                let first = seq == 1
                let report = StatusReport(
                    seq: Int64(seq), epoch: epoch, kind: first ? .received : .applied, generation: envelope.header.generation,
                    hash: envelope.header.hash, objects: first ? nil : objects, time: now + Double(seq) / 1000)
                reports.append(report.encoded())
            }
            return .success(Spoke(name: name, reports: reports, objects: objects.count))
        }
        return StatusBurst(spokes: try built.map { try $0.get() })
    }

    /// The objects a bundle payload names. `JSONSerialization`, not ``SpokeBundle/decode(payload:)``:
    /// this is set-up, not measured, and the agent's decoder into `Value` is several times
    /// slower (about 11 ms for a 38-object bundle on the 2-core machine, against 1.8 ms).
    static func refs(inPayload payload: [UInt8]) throws -> [ObjectRef] {
        guard let tree = try JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
            let items = tree["objects"] as? [[String: Any]]
        else { throw BenchError("bundle payload has no objects list") }
        return try items.map { item in
            guard let object = item["object"] as? [String: Any], let apiVersion = object["apiVersion"] as? String,
                let kind = object["kind"] as? String, let metadata = object["metadata"] as? [String: Any],
                let name = metadata["name"] as? String
            else { throw BenchError("bundle item lacks apiVersion, kind or metadata.name") }
            return ObjectRef(apiVersion: apiVersion, kind: kind, namespace: metadata["namespace"] as? String ?? "", name: name)
        }
    }

    /// Every report, round by round (every spoke's first report, then every spoke's second…),
    /// on the status topic `topic(spoke)`: each spoke's reports stay in sequence order.
    func messages(topic: (String) -> String) -> [(topic: String, payload: [UInt8])] {
        let rounds = spokes.map(\.reports.count).max() ?? 0
        var out: [(topic: String, payload: [UInt8])] = []
        out.reserveCapacity(reportCount)
        for r in 0..<rounds {
            for s in spokes where r < s.reports.count { out.append((topic(s.name), s.reports[r])) }
        }
        return out
    }
}
