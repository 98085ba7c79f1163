import FlotillaModel
import FlotillaWire

/// How a spoke runs what it is given. Appliers are idempotent: applying the same bundle twice
/// changes nothing the second time.
public protocol Applier: Sendable {
    /// A short name for logs and presence, such as `dir:/var/lib/rancher/k3s/server/manifests`.
    var name: String { get }
    /// Makes the spoke run exactly `bundle`'s objects.
    /// - Returns: the outcome per object; `ok` is false if any object failed.
    func apply(_ bundle: SpokeBundle) async -> ApplyOutcome
}

/// What an applier did with a bundle.
public struct ApplyOutcome: Sendable, Equatable {
    public var objects: [ObjectStatus]
    public var message: String?

    public init(objects: [ObjectStatus], message: String? = nil) {
        self.objects = objects
        self.message = message
    }

    public var ok: Bool { message == nil && !objects.contains { $0.state == .failed } }
}

/// Parses `--applier` values.
public enum ApplierSpec {
    /// - Throws: ``AgentError/badApplier(_:)`` for an unknown or malformed spec.
    public static func make(_ spec: String) throws(AgentError) -> any Applier {
        if spec.hasPrefix("dir:") {
            let path = String(spec.dropFirst(4))
            guard !path.isEmpty else { throw .badApplier("dir: needs a path, as in dir:/var/lib/rancher/k3s/server/manifests") }
            return DirApplier(directory: path)
        }
        throw .badApplier("unknown applier \"\(spec)\" (supported: dir:PATH)")
    }
}
