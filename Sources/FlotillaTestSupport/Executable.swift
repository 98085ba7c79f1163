import Foundation

/// Finds programs the tests run: system tools and the `flotilla` binary built beside the tests.
public enum Executable {
    public static func find(_ name: String, extra: [String] = []) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = extra + path.split(separator: ":").map { "\($0)/\(name)" } + ["/usr/sbin/\(name)", "/usr/bin/\(name)"]
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) { return c }
        throw TestSupportError("\(name) not found (run `make test`, which installs it)")
    }

    /// The `flotilla` executable of this build (same folder as the test bundle).
    public static func flotilla() throws -> String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("flotilla").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        let cwd = FileManager.default.currentDirectoryPath
        for c in ["\(cwd)/.build/debug/flotilla", "\(cwd)/.build/release/flotilla"]
        where FileManager.default.isExecutableFile(atPath: c) {
            return c
        }
        throw TestSupportError("flotilla binary not found next to \(CommandLine.arguments[0]); build it with `swift build`")
    }
}
