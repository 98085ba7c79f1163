import FlotillaModel
import FlotillaSource
import Foundation
import Testing

/// `SourceLoader.files()` walks the directory with `readdir`; it lists what Foundation's
/// enumerator listed before.
struct SourceFilesTests {
    @Test func listsRegularSourceFilesOnly() throws {
        let source = try TemporarySource([
            "a/x.yaml": "", "a/y.YML": "", "real/r.json": "", "a/notes.txt": "", "a/yaml": "",
            ".h.yaml": "", ".hidden/z.yaml": "", "a/.git/config.yaml": "", "deep/er/still/s.Json": "",
        ])
        let fm = FileManager.default
        let root = source.root
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("real/link.yaml").path, withDestinationPath: "../a/x.yaml")
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("a/dirlink").path, withDestinationPath: "../real")
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("dangling.yaml").path, withDestinationPath: "nowhere.yaml")
        try fm.createDirectory(at: root.appendingPathComponent("dir.yaml"), withIntermediateDirectories: true)
        #expect(mkfifo(root.appendingPathComponent("fifo.yaml").path, 0o600) == 0)
        #expect(try source.loader.files() == ["a/x.yaml", "a/y.YML", "deep/er/still/s.Json", "real/r.json"])
    }

    @Test func aMissingDirectoryIsAnError() {
        let loader = SourceLoader(root: URL(fileURLWithPath: "/nonexistent/flotilla-source"))
        #expect(throws: SourceErrors.self) { try loader.files() }
    }
}
