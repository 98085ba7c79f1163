import ArgumentParser
import FlotillaModel
import FlotillaRendering
import FlotillaSource
import Foundation

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Dry run: which spoke gets which objects, and which policies placed them.",
        discussion: """
            Exits non-zero when the source has errors or a spoke cannot be rendered; every error is listed. \
            Warnings (a clause that selects every object, a singleton on no spoke or several) go to stderr, \
            or into the JSON with -o json, and never change the exit status.
            """)

    @Option(help: "GitOps source directory.")
    var source: String

    @Option(help: "Only this spoke.")
    var spoke: String?

    @Option(name: .shortAndLong, help: "Output: table, json, or yaml (the exact rendered bundle of --spoke).")
    var output: OutputFormat = .table

    @Option(help: "Explain the placement of one object: KIND/NAMESPACE/NAME (KIND/NAME if cluster-scoped).")
    var explain: String?

    func validate() throws {
        if output == .yaml && spoke == nil { throw ValidationError("-o yaml prints one spoke's bundle: add --spoke NAME") }
    }

    func run() async throws {
        let fleet: FleetSource
        do {
            fleet = try SourceLoader(root: URL(fileURLWithPath: source)).loadFleet()
        } catch {
            FileHandleOutput.stderr(error.description)
            throw ExitCode(1)
        }
        let plan = Planner.plan(fleet)
        let renderer = PlanRenderer(plan: plan, fleet: fleet)
        do {
            if let explain {
                print(try renderer.explain(explain))
                return
            }
            switch output {
            case .json: try renderer.writeJSON(spoke: spoke) { FileHandle.standardOutput.write(Data($0)) }
            case .yaml: print(try ManifestYAML.render(try renderer.bundleObjects(spoke: spoke!)), terminator: "")
            case .table: print(try renderer.table(spoke: spoke), terminator: "")
            }
            // JSON carries the warnings itself; stderr gets them for people.
            if output != .json {
                for w in plan.warnings { FileHandleOutput.stderr("warning: \(w)") }
            }
        } catch let failure as PlanRenderer.Failure {
            throw ValidationError(failure.message)
        }
        let failures = try renderer.spokePlans(spoke).compactMap(\.error)
        if !failures.isEmpty {
            for e in failures { FileHandleOutput.stderr("error: \(e)") }
            throw ExitCode(1)
        }
    }
}

enum FileHandleOutput {
    static func stderr(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
