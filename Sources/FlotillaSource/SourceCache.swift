import FlotillaModel
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The source as last read, file by file, so that a reload re-reads and re-parses only the
/// files that changed.
///
/// A file is unchanged when its size, modification time (to the nanosecond) and inode are
/// those seen last; otherwise it is read, and parsed again only when its content differs
/// (a `touch`, or a `git checkout` that rewrites the same bytes, costs a read, not a parse).
/// As in git's "racy" check, a file modified within a second of the refresh that read it is
/// read again even when its stamp matches: a same-size edit in the same clock tick would
/// otherwise go unseen.
/// Each file keeps its own objects and errors: a file that turns invalid fails the whole
/// source (the hub keeps its last good plan), and once fixed only it is parsed again.
public struct SourceCache: Sendable {
    /// What one ``refresh(_:)`` found, by path relative to the source root.
    public struct Changes: Sendable, Equatable {
        public var added: [String] = []
        public var edited: [String] = []
        public var removed: [String] = []
        /// Files whose stamp moved but whose bytes did not: read, not parsed.
        public var touched: [String] = []

        public init() {}

        /// Whether any file's objects may differ from the previous refresh's.
        public var isEmpty: Bool { added.isEmpty && edited.isEmpty && removed.isEmpty }
        /// Files parsed by this refresh.
        public var parsed: [String] { added + edited }
    }

    struct Stamp: Equatable, Sendable {
        var size: Int64
        var seconds: Int
        var nanoseconds: Int
        var inode: UInt64

        var modified: Double { Double(seconds) + Double(nanoseconds) / 1e9 }

        init?(path: String) {
            var st = stat()
            guard stat(path, &st) == 0 else { return nil }
            size = Int64(st.st_size)
            seconds = Int(st.st_mtim.tv_sec)
            nanoseconds = Int(st.st_mtim.tv_nsec)
            inode = UInt64(st.st_ino)
        }
    }

    struct Entry: Sendable {
        var stamp: Stamp?
        var contentHash: Int
        var objects: [ManifestObject]
        var errors: [SourceError]
    }

    private var entries: [String: Entry] = [:]
    /// When the previous refresh started, in seconds since 1970.
    private var lastRefresh: Double = 0
    /// Files in the order objects are given out: sorted, as the loader reads them.
    private var order: [String] = []

    public init() {}

    /// Brings every file up to date with the directory and says what changed.
    /// - Throws: ``SourceErrors`` only when the directory itself cannot be listed.
    public mutating func refresh(_ loader: SourceLoader) throws(SourceErrors) -> Changes {
        let files = try loader.files()
        let started = Date().timeIntervalSince1970
        defer { lastRefresh = started }
        var changes = Changes()
        var next: [String: Entry] = [:]
        next.reserveCapacity(files.count)
        for file in files {
            let path = loader.root.appendingPathComponent(file).path
            let stamp = Stamp(path: path)
            let old = entries[file]
            if let old, let stamp, old.stamp == stamp, stamp.modified < lastRefresh - 1 {
                next[file] = old
                continue
            }
            guard let bytes = FileManager.default.contents(atPath: path) else {
                next[file] = Entry(
                    stamp: nil, contentHash: 0, objects: [],
                    errors: [SourceError(location: SourceLocation(file: file, line: 0), message: "cannot read")])
                if old == nil { changes.added.append(file) } else { changes.edited.append(file) }
                continue
            }
            let hash = Self.hash(bytes)
            if var old, old.stamp != nil, old.contentHash == hash {
                // A racy re-read of a file whose stamp did not move is not news.
                if old.stamp != stamp { changes.touched.append(file) }
                old.stamp = stamp
                next[file] = old
                continue
            }
            var objects: [ManifestObject] = []
            var errors: [SourceError] = []
            Self.parse(bytes, file: file, into: &objects, errors: &errors)
            next[file] = Entry(stamp: stamp, contentHash: hash, objects: objects, errors: errors)
            if old == nil { changes.added.append(file) } else { changes.edited.append(file) }
        }
        changes.removed = order.filter { next[$0] == nil }
        entries = next
        order = files
        return changes
    }

    /// Every object of every file, in file order, or every error of every file.
    public func objects() throws(SourceErrors) -> [ManifestObject] {
        var errors: [SourceError] = []
        var count = 0
        for file in order {
            errors += entries[file]?.errors ?? []
            count += entries[file]?.objects.count ?? 0
        }
        guard errors.isEmpty else { throw SourceErrors(errors) }
        var out: [ManifestObject] = []
        out.reserveCapacity(count)
        for file in order { out += entries[file]?.objects ?? [] }
        return out
    }

    /// Refreshes and classifies the whole source, as ``SourceLoader/loadFleet()`` would.
    public mutating func loadFleet(_ loader: SourceLoader) throws(SourceErrors) -> (fleet: FleetSource, changes: Changes) {
        let changes = try refresh(loader)
        return (try FleetSource.classify(try objects()), changes)
    }

    static func parse(_ bytes: Data, file: String, into objects: inout [ManifestObject], errors: inout [SourceError]) {
        bytes.withUnsafeBytes { SourceLoader.parse(bytes: $0, file: file, into: &objects, errors: &errors) }
    }

    /// A content hash for "did these bytes change", not for security: SipHash with this
    /// process's random key, so nobody can craft two files that look alike to it.
    static func hash(_ bytes: Data) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes.count)
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }
}
