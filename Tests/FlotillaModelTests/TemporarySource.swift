import FlotillaModel
import FlotillaSource
import Foundation

/// A GitOps source directory written by a test and removed when the test is done.
final class TemporarySource {
    let root: URL

    init(_ files: [String: String]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-source-\(UUID().uuidString)")
        for (path, text) in files { try write(path, text) }
    }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    var loader: SourceLoader { SourceLoader(root: root) }

    /// The errors loading the source throws; empty when it loads.
    func errors() -> [SourceError] {
        do {
            _ = try loader.loadFleet()
            return []
        } catch {
            return error.errors
        }
    }

    deinit { try? FileManager.default.removeItem(at: root) }
}

/// Builds source objects in tests without YAML.
enum Fixture {
    static func object(
        _ apiVersion: String, _ kind: String, _ namespace: String, _ name: String,
        labels: [String: String] = [:], annotations: [String: String] = [:], body: [String: Value] = [:]
    ) -> ManifestObject {
        var meta: [String: Value] = ["name": .string(name)]
        if !namespace.isEmpty { meta["namespace"] = .string(namespace) }
        if !labels.isEmpty { meta["labels"] = .object(labels.mapValues(Value.string)) }
        if !annotations.isEmpty { meta["annotations"] = .object(annotations.mapValues(Value.string)) }
        var tree = body
        tree["apiVersion"] = .string(apiVersion)
        tree["kind"] = .string(kind)
        tree["metadata"] = .object(meta)
        return ManifestObject(
            ref: ObjectRef(apiVersion: apiVersion, kind: kind, namespace: namespace, name: name), tree: tree,
            origin: SourceLocation(file: "test.yaml", line: 1))
    }

    /// Parses YAML text the way the loader does, failing the test on any error.
    static func parse(_ yaml: String, file: String = "test.yaml") -> (objects: [ManifestObject], errors: [SourceError]) {
        var objects: [ManifestObject] = []
        var errors: [SourceError] = []
        SourceLoader.parse(text: yaml, file: file, into: &objects, errors: &errors)
        return (objects, errors)
    }

    /// Classifies YAML text into a fleet, returning the errors instead when there are any.
    static func fleet(_ yaml: String) -> Result<FleetSource, SourceErrors> {
        let (objects, errors) = parse(yaml)
        guard errors.isEmpty else { return .failure(SourceErrors(errors)) }
        return Result { () throws(SourceErrors) in try FleetSource.classify(objects) }
    }
}
