import ArgumentParser
import FlotillaBench
import Foundation

/// `flotilla bench load --source DIR`: loading a source against libyaml's own parse of it.
struct BenchLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Time loading a GitOps source against libyaml parsing the same files (use a release build).")

    @Option(help: "GitOps source directory.")
    var source: String

    func run() throws {
        do {
            try LoadBenchmark.run(source: URL(fileURLWithPath: source), print: { print($0) })
        } catch {
            FileHandleOutput.stderr(error.description)
            throw ExitCode(1)
        }
    }
}
