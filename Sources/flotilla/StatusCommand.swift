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

    @Option(name: .shortAndLong, help: "Output: table, json or yaml.")
    var output: OutputFormat = .table

    @Option(help: "Wait up to this many seconds until every spoke has applied its desired generation and every report is stored.")
    var wait: Double?

    func run() async throws {
        if let wait {
            let deadline = Date().addingTimeInterval(wait)
            while true {
                if let s = try? await fetch().snapshot, FleetStatus.isSettled(s) { break }
                if Date() > deadline {
                    FileHandleOutput.stderr("fleet did not converge within \(Int(wait)) s")
                    try await show()
                    throw ExitCode(2)
                }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        try await show()
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
            throw ValidationError("cannot reach the hub at \(hub): \(error.localizedDescription)")
        }
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw ValidationError("hub at \(hub) answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        return (data, try JSONDecoder().decode(StatusSnapshot.self, from: data))
    }

    func show() async throws {
        let (data, snapshot) = try await fetch()
        switch output {
        case .json: print(String(decoding: data, as: UTF8.self))
        case .yaml: print(try StructuredOutput.yaml(snapshot), terminator: "")
        case .table:
            print(StatusTable.render(snapshot, now: Date().timeIntervalSince1970))
        }
    }
}
