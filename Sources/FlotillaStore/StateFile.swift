import Foundation

/// Where a state file lives: its folder is created on first use, like a service's state directory.
enum StateFile {
    static func prepare(_ path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        guard !dir.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
}
