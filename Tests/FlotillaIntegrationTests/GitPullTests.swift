import FlotillaHub
import FlotillaModel
import FlotillaTestSupport
import Foundation
import Testing

/// `--git-pull`: the hub follows a remote branch of its source checkout.
struct GitPullTests {
    @discardableResult
    static func git(_ args: [String], in dir: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-c", "user.name=test", "-c", "user.email=test@localhost", "-c", "init.defaultBranch=main"] + args
        p.currentDirectoryURL = dir
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw TestSupportError("git \(args.joined(separator: " ")) failed: \(out)") }
        return out
    }

    @Test func hubPublishesWhatIsPushedToTheRemote() async throws {
        let h = try FleetHarness()
        let remote = h.directory.appendingPathComponent("remote.git")
        let author = h.directory.appendingPathComponent("author")
        try FileManager.default.createDirectory(at: author, withIntermediateDirectories: true)
        try Self.git(["init", "--bare", "-q", remote.path], in: h.directory)
        try Self.git(["init", "-q"], in: author)
        func put(_ file: String, _ text: String) throws {
            try text.write(to: author.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        try put("inventory.yaml", FleetYAML.spoke("store-p", labels: ["site": "store"]))
        try put("policy.yaml", FleetYAML.policy("stores", spokeLabel: ("site", "store"), app: "web"))
        try put("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": "1"]))
        try Self.git(["add", "."], in: author)
        try Self.git(["commit", "-q", "-m", "first"], in: author)
        try Self.git(["push", "-q", remote.path, "HEAD:main"], in: author)
        let checkout = h.directory.appendingPathComponent("checkout")
        try Self.git(["clone", "-q", "--branch", "main", remote.path, checkout.path], in: h.directory)

        let hub = try Hub(
            configuration: HubConfiguration(
                sourceDirectory: checkout.path, mqtt: h.mqtt(clientID: "flotilla-hub"), statePath: h.hubState, pollInterval: 0.1,
                gitPullInterval: 0.2),
            logger: h.logger)
        let task = Task { try await hub.run() }
        try await eventually("generation 1") { try await hub.store.spokes().first?.generation == 1 }
        try put("web.yaml", FleetYAML.configMap("web-config", app: "web", data: ["value": "2"]))
        try Self.git(["commit", "-q", "-am", "second"], in: author)
        try Self.git(["push", "-q", remote.path, "HEAD:main"], in: author)
        try await eventually("the pushed change is published") { try await hub.store.spokes().first?.generation == 2 }
        task.cancel()
        _ = await task.result
    }
}
