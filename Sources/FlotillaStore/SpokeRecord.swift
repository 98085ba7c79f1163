import FlotillaModel
import FlotillaWire
import Foundation
import GRDB

/// One spoke as the hub's database knows it.
public struct SpokeRecord: Sendable, Equatable {
    public var name: String
    public var inInventory: Bool
    public var generation: Int64
    public var hash: String?
    public var objects: [ObjectRef]
    public var planError: String?
    public var online: Bool
    public var lastSeen: Double?
    public var epoch: String?
    public var ackedSeq: Int64
    public var lastSeq: Int64
    public var reportsStored: Int64
    public var duplicates: Int64
    public var appliedGeneration: Int64?
    public var appliedHash: String?
    public var phase: SpokePhase
    public var lastError: String?
    /// The per-object outcome of the last apply or failure.
    public var lastResult: [ObjectStatus]
    /// The key that signed the published envelope (empty when unsigned, `nil` when none).
    public var keyId: String?
    /// When the spoke left the inventory (seconds since 1970).
    public var retiredAt: Double?
    /// The agent's version, from its presence.
    public var agentVersion: String?

    /// A record built by hand (tests, tools); the hub's come from its database.
    public init(
        name: String, inInventory: Bool = true, generation: Int64 = 0, phase: SpokePhase = .pending, appliedGeneration: Int64? = nil,
        online: Bool = false, lastResult: [ObjectStatus] = []
    ) {
        self.name = name
        self.inInventory = inInventory
        self.generation = generation
        self.phase = phase
        self.appliedGeneration = appliedGeneration
        self.online = online
        self.lastResult = lastResult
        hash = nil
        objects = []
        planError = nil
        lastSeen = nil
        epoch = nil
        ackedSeq = 0
        lastSeq = 0
        reportsStored = 0
        duplicates = 0
        appliedHash = nil
        lastError = nil
    }

    init(row: Row) {
        name = row["name"]
        inInventory = (row["inInventory"] as Int64) != 0
        generation = row["generation"]
        hash = row["hash"]
        let objectsText: String? = row["objects"]
        objects = Self.items(objectsText).compactMap(Self.ref)
        planError = row["planError"]
        online = (row["online"] as Int64) != 0
        lastSeen = row["lastSeen"]
        epoch = row["epoch"]
        ackedSeq = row["ackedSeq"]
        lastSeq = row["lastSeq"]
        reportsStored = row["reportsStored"]
        duplicates = row["duplicates"]
        appliedGeneration = row["appliedGeneration"]
        appliedHash = row["appliedHash"]
        phase = SpokePhase(rawValue: row["phase"] as String) ?? .pending
        lastError = row["lastError"]
        let resultText: String? = row["lastResult"]
        lastResult = Self.items(resultText).compactMap { item in
            guard let ref = Self.ref(item), let state = item["state"]?.stringValue.flatMap(ObjectStatus.State.init(rawValue:)) else {
                return nil
            }
            return ObjectStatus(ref: ref, state: state, message: item["message"]?.stringValue)
        }
        keyId = row["keyId"]
        retiredAt = row["retiredAt"]
        let presenceText: String? = row["presence"]
        agentVersion = presenceText.flatMap { Presence.decode(Array($0.utf8)) }?.agentVersion
    }
}

extension SpokeRecord {
    /// The maps of a stored JSON array; read in one pass (`status` reads every spoke's row).
    static func items(_ text: String?) -> [[String: Value]] {
        guard let text, case .array(let items)? = try? JSONValueParser.parse(Array(text.utf8)) else { return [] }
        return items.compactMap(\.objectValue)
    }

    static func ref(_ item: [String: Value]) -> ObjectRef? {
        guard let apiVersion = item["apiVersion"]?.stringValue, let kind = item["kind"]?.stringValue,
            let namespace = item["namespace"]?.stringValue, let name = item["name"]?.stringValue
        else { return nil }
        return ObjectRef(apiVersion: apiVersion, kind: kind, namespace: namespace, name: name)
    }
}
