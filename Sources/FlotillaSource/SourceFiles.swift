#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The source files below a directory, by a plain `readdir` walk (Foundation's enumerator
/// stats every entry again through `URL.resourceValues`: a tenth of a load's time).
///
/// What ``SourceLoader/files()`` always took: regular files named `*.yaml`, `*.yml` or `*.json`
/// (any case), hidden entries (a name starting with `.`, such as `.git`) skipped, symbolic
/// links neither followed nor listed; paths relative to the root, `/`-separated, sorted.
enum SourceFiles {
    static func list(root: String) -> [String] {
        var out: [String] = []
        walk(root, prefix: "", into: &out)
        return out.sorted()
    }

    private static func walk(_ directory: String, prefix: String, into out: inout [String]) {
        guard let handle = opendir(directory) else { return }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let first = name.utf8.first, first != UInt8(ascii: ".") else { continue }
            let path = directory + "/" + name
            var type = Int(entry.pointee.d_type)
            if type == Int(DT_UNKNOWN) { type = kind(of: path) }
            if type == Int(DT_DIR) {
                walk(path, prefix: prefix + name + "/", into: &out)
            } else if type == Int(DT_REG) && isSource(name) {
                out.append(prefix + name)
            }
        }
    }

    /// `DT_DIR`, `DT_REG` or `DT_UNKNOWN` for a file system whose `readdir` does not say.
    private static func kind(of path: String) -> Int {
        var st = stat()
        guard lstat(path, &st) == 0 else { return Int(DT_UNKNOWN) }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return Int(DT_DIR)
        case S_IFREG: return Int(DT_REG)
        default: return Int(DT_UNKNOWN)
        }
    }

    /// Whether the name's extension is `yaml`, `yml` or `json`, in any case.
    static func isSource(_ name: String) -> Bool {
        let utf8 = Array(name.utf8)
        func ends(with suffix: StaticString) -> Bool {
            let n = suffix.utf8CodeUnitCount
            guard utf8.count > n else { return false }
            for i in 0..<n {
                let c = utf8[utf8.count - n + i]
                let lower = c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c
                if lower != suffix.utf8Start[i] { return false }
            }
            return true
        }
        return ends(with: ".yaml") || ends(with: ".yml") || ends(with: ".json")
    }
}
