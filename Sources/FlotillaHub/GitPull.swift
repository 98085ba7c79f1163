import FlotillaConcurrency
import Foundation
import Logging

/// Follows a remote: `git pull --ff-only` in the source checkout. A failed pull leaves the
/// checkout as it was; whatever it holds is validated like any other change.
enum GitPull {
    static func run(in directory: String, logger: Logger) async {
        let result: (status: Int32, output: String) = await BlockingPool.run {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["git", "-C", directory, "pull", "--ff-only", "--quiet"]
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = pipe
            do {
                try p.run()
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                return (p.terminationStatus, String(decoding: data, as: UTF8.self))
            } catch {
                return (-1, "\(error)")
            }
        }
        if result.status != 0 {
            logger.error("git pull failed; keeping the checkout as it is", metadata: ["dir": "\(directory)", "output": "\(result.output)"])
        }
    }
}
