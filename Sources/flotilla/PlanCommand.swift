import ArgumentParser
import FlotillaModel
import FlotillaSource
import Foundation

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Dry run: which spoke gets which objects, and which policies placed them.")

    @Option(help: "GitOps source directory.")
    var source: String

    @Option(help: "Only this spoke.")
    var spoke: String?

    @Option(name: .shortAndLong, help: "Output: table or json.")
    var output: OutputFormat = .table

    func run() async throws {
        let fleet: FleetSource
        do {
            fleet = try SourceLoader(root: URL(fileURLWithPath: source)).loadFleet()
        } catch {
            FileHandleOutput.stderr(error.description)
            throw ExitCode(1)
        }
        let plan = Planner.plan(fleet)
        let spokes = plan.spokes.filter { spoke == nil || $0.spoke.name == spoke }
        if let spoke, spokes.isEmpty { throw ValidationError("no spoke \"\(spoke)\" in the inventory") }
        switch output {
        case .json:
            var map: [String: Value] = [:]
            for sp in spokes {
                map[sp.spoke.name] = .array(
                    sp.placements.map { p in
                        .object([
                            "apiVersion": .string(p.ref.apiVersion), "kind": .string(p.ref.kind),
                            "namespace": .string(p.ref.namespace), "name": .string(p.ref.name),
                            "policies": .array(p.policies.map(Value.string)), "createOnly": .bool(p.createOnly),
                        ])
                    })
            }
            print(String(decoding: Value.object(["spokes": .object(map)]).canonicalJSON, as: UTF8.self))
        case .table, .yaml:
            for sp in spokes {
                print("\(sp.spoke.name)  (\(sp.placements.count) objects)")
                for p in sp.placements {
                    let ns = p.ref.namespace.isEmpty ? "" : "\(p.ref.namespace)/"
                    print("  \(p.ref.kind) \(ns)\(p.ref.name)  <- \(p.policies.joined(separator: ", "))\(p.createOnly ? "  [createOnly]" : "")")
                }
            }
        }
        let failed = spokes.compactMap(\.error)
        if !failed.isEmpty {
            for e in failed { FileHandleOutput.stderr("error: \(e)") }
            throw ExitCode(1)
        }
    }
}

enum FileHandleOutput {
    static func stderr(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
