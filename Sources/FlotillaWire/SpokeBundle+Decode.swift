import FlotillaModel
import Foundation

/// A bundle from the wire: the agent's side of ``SpokeBundle/payload``.
extension SpokeBundle {
    /// Decodes a payload; total: any byte string gives a bundle or an error, never a crash.
    /// - Throws: ``EnvelopeError/malformed(_:)`` for a payload that is not a list of objects,
    ///   ``EnvelopeError/invalidName(_:)`` when an object's name or namespace breaks its kind's
    ///   rule in ``KubernetesName`` (which also rules out `/`, NUL, newlines, `.` and `..`).
    public static func decode(payload: [UInt8]) throws(EnvelopeError) -> SpokeBundle {
        let tree: Value
        do {
            tree = try JSONValueParser.parse(payload)
        } catch {
            throw .malformed("bundle payload is not JSON (\(error))")
        }
        guard case .array(let objs)? = tree.objectValue?["objects"] else {
            throw .malformed("bundle payload has no objects list")
        }
        var items: [Item] = []
        for (i, o) in objs.enumerated() {
            guard case .object(let item) = o, case .object(let obj)? = item["object"],
                let apiVersion = obj["apiVersion"]?.stringValue, let kind = obj["kind"]?.stringValue,
                let name = obj["metadata"]?.objectValue?["name"]?.stringValue
            else { throw .malformed("bundle item \(i) lacks apiVersion, kind or metadata.name") }
            let ns = obj["metadata"]?.objectValue?["namespace"]?.stringValue ?? ""
            let ref = ObjectRef(apiVersion: apiVersion, kind: kind, namespace: ns, name: name)
            // The hub never produces such a name; refusing it here keeps a stolen key or a hub
            // bug from reaching the applier, which turns names into file names.
            if let violation = KubernetesName.violations(of: ref).first {
                throw .invalidName("bundle item \(i) \(KubernetesName.escaped(ref.description)): \(violation)")
            }
            items.append(
                Item(
                    ref: ref, object: obj,
                    createOnly: item["createOnly"]?.boolValue ?? false,
                    wantSingletonReportedState: item["singleton"]?.boolValue ?? false))
        }
        return SpokeBundle(items: items)
    }
}
