import ArgumentParser
import FlotillaStore
import Foundation

/// `flotilla hub backup`: a consistent copy of the hub's database while the hub runs.
struct HubBackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the hub's state file while the hub runs (SQLite's online backup); restore with `hub run --recover`.")

    @Option(help: "Hub state file (SQLite).")
    var state: String

    @Option(help: "Where to write the copy; must not exist.")
    var out: String

    func run() async throws {
        guard FileManager.default.fileExists(atPath: state) else { throw RuntimeFailure("no hub state at \(state)") }
        guard !FileManager.default.fileExists(atPath: out) else { throw RuntimeFailure("\(out) exists; choose a new file") }
        let store = try HubStore(path: state)
        try store.backup(to: out)
        let spokes = try await HubStore(path: out).spokes().filter(\.inInventory).count
        print("backed up \(state) to \(out) (\(spokes) spokes in the inventory)")
    }
}
