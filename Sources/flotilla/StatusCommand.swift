import ArgumentParser
import FlotillaHub
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show spokes and workloads as the hub sees them.")

    @Option(help: "Hub HTTP API URL.")
    var hub: String = "http://127.0.0.1:8080"

    @Option(name: .shortAndLong, help: "Output: table, wide (every error in full, signing key, agent version), json or yaml.")
    var output: StatusOutputFormat = .table

    @Option(help: "Wait up to this many seconds until the hub has read the source as it is on disk, and every spoke has applied it with every report stored.")
    var wait: Double?

    func run() async throws {
        if let wait { try await waitUntilSettled(seconds: wait) }
        try await show()
    }

    /// Waits until the hub has read the source as it is on disk now and every spoke runs it with
    /// every report stored. Fails at once, with the reason, when the source is rejected or the
    /// hub has lost the broker; on timeout names the spokes that are not there, and why.
    func waitUntilSettled(seconds: Double) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        var disconnectedSince: Date?
        var last: StatusSnapshot?
        while true {
            if let s = try? await fetch().snapshot {
                last = s
                let current = s.hub.sourceRevision != nil && s.hub.sourceRevision == s.hub.sourceRevisionOnDisk
                if current && s.hub.sourceRejected {
                    FileHandleOutput.stderr("the hub rejected the source; the last good plan stays live:\n\(s.hub.sourceError ?? "")")
                    throw ExitCode(3)
                }
                if s.hub.brokerConnected {
                    disconnectedSince = nil
                } else if let since = disconnectedSince, Date().timeIntervalSince(since) >= 5 {
                    FileHandleOutput.stderr("the hub is not connected to the broker")
                    throw ExitCode(3)
                } else if disconnectedSince == nil {
                    disconnectedSince = Date()
                }
                if current && s.hub.brokerConnected && FleetStatus.isSettled(s) { return }
            }
            if Date() > deadline {
                FileHandleOutput.stderr("fleet did not converge within \(Int(seconds)) s")
                if let last { FileHandleOutput.stderr(Self.whyNotSettled(last)) } else { FileHandleOutput.stderr("cannot reach the hub at \(hub)") }
                throw ExitCode(2)
            }
            try await Task.sleep(for: .milliseconds(300))
        }
    }

    /// One line per reason the fleet is not settled.
    static func whyNotSettled(_ s: StatusSnapshot) -> String {
        var lines: [String] = []
        if s.hub.sourceRevision != s.hub.sourceRevisionOnDisk { lines.append("the hub has not read the newest source files yet") }
        for sp in s.spokes where sp.phase != .retired {
            var why: [String] = []
            if !sp.converged {
                why.append("\(sp.phase.rawValue), applied \(sp.appliedGeneration.map(String.init) ?? "nothing") of generation \(sp.desiredGeneration)")
            }
            if sp.ackedSequence != sp.lastSequence { why.append("reports stored up to \(sp.ackedSequence) of \(sp.lastSequence)") }
            guard !why.isEmpty else { continue }
            if !sp.online { why.append("offline") }
            why += sp.errors
            lines.append("\(sp.name): " + why.joined(separator: "; "))
        }
        return lines.joined(separator: "\n")
    }

    func fetch() async throws -> (data: Data, snapshot: StatusSnapshot) {
        guard let url = URL(string: hub)?.appendingPathComponent("api/v1/status") else {
            throw ValidationError("--hub must be a URL such as http://127.0.0.1:8080")
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(from: url)
        } catch {
            throw RuntimeFailure("cannot reach the hub at \(hub): \(error.localizedDescription)")
        }
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw RuntimeFailure("hub at \(hub) answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        return (data, try JSONDecoder().decode(StatusSnapshot.self, from: data))
    }

    func show() async throws {
        let (data, snapshot) = try await fetch()
        switch output {
        case .json: print(String(decoding: data, as: UTF8.self))
        case .yaml: print(try StructuredOutput.yaml(snapshot), terminator: "")
        case .table, .wide:
            print(StatusTable.render(snapshot, now: Date().timeIntervalSince1970, wide: output == .wide))
        }
    }
}

enum StatusOutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, wide, json, yaml
}
