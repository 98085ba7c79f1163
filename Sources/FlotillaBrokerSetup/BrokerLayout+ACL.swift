import FlotillaWire
import Foundation

/// The ACL as an explicit allow list: the hub's section, then one `user NAME` section per spoke
/// that has credentials. On the TLS listener (`use_identity_as_username`) any certificate the CA
/// signed connects under its CN; only the names listed here may read or write anything, so a
/// certificate of a removed spoke, or of a name never added, reads and writes nothing.
///
/// The spokes' sections sit between two marker lines and are rewritten whole, from the password
/// file, by `add-spoke` and `remove-spoke` (and `enable-tls`); everything outside the markers is
/// kept. A file written before the allow list (with `pattern … %u` lines, which grant every
/// identity its own topics) is converted on its first rewrite: those lines go, the markers come.
extension BrokerLayout {
    static let spokesBegin = "# BEGIN flotilla spokes"
    static let spokesEnd = "# END flotilla spokes"

    /// The ACL `broker init` writes for `spokes`.
    public func aclText(spokes: [String]) -> String {
        """
        # Written by `flotilla broker init`. Reload a running broker after changes: kill -HUP.
        # Anything not granted here is denied. Only the users below may read or write: a client
        # whose username (on the TLS listener, its certificate's CN) has no section here can
        # connect, and can then neither read nor write any topic.
        # A line is a comment only when "#" is its first character.

        user \(Self.hubUser)
        topic readwrite \(topics.prefix)/#
        topic read $SYS/broker/#

        \(Self.spokeSections(spokes, topics: topics))
        """
    }

    /// The marked block of spoke sections.
    static func spokeSections(_ spokes: [String], topics: Topics) -> String {
        var text = """
            \(spokesBegin): one section per spoke, rewritten whole by `flotilla broker add-spoke`
            # and `remove-spoke` from the password file; edits between these markers are lost.
            # Each spoke reads only its own desired and ack, and writes only its own status and
            # presence (the agent's "offline" will is published under its identity).


            """
        for name in spokes.sorted() {
            text += """
                user \(name)
                topic read \(topics.desired(name))
                topic read \(topics.ack(name))
                topic write \(topics.status(name))
                topic write \(topics.presence(name))


                """
        }
        return text + "\(spokesEnd)\n"
    }

    /// `text` with its spoke sections replaced by those of `spokes`. Without markers (a file from
    /// before the allow list) the `pattern` lines that grant by username or client id (`%u`,
    /// `%c`) and their comment are removed and the sections appended.
    static func replacingSpokeSections(in text: String, spokes: [String], topics: Topics, path: String) throws(BrokerSetupError)
        -> String
    {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let begin = lines.firstIndex { $0.hasPrefix(spokesBegin) }
        let end = lines.firstIndex { $0.hasPrefix(spokesEnd) }
        let section = spokeSections(spokes, topics: topics).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .dropLast()
        switch (begin, end) {
        case (let b?, let e?) where b < e:
            lines.replaceSubrange(b...e, with: section)
        case (nil, nil):
            lines.removeAll { line in
                (line.hasPrefix("pattern ") && (line.contains("%u") || line.contains("%c")))
                    || line == "# %u is the client's username, which is its spoke name."
            }
            while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
            lines.append("")
            lines.append(contentsOf: section)
        default:
            throw .io(path: path, message: "has \"\(spokesBegin)\" or \"\(spokesEnd)\" without the other; fix the markers by hand")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The topic prefix the ACL was written for (the hub's `topic readwrite PREFIX/#`), so that
    /// `add-spoke` and `remove-spoke` need no `--topic-prefix` of their own.
    static func topicsInACL(_ text: String) -> Topics? {
        var inHub = false
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line.hasPrefix("user ") { inHub = line == "user \(hubUser)"; continue }
            if inHub, line.hasPrefix("topic readwrite "), line.hasSuffix("/#") {
                return Topics(prefix: String(line.dropFirst("topic readwrite ".count).dropLast(2)))
            }
        }
        return nil
    }

    /// The spokes that have a section between the markers.
    public func aclSpokes() throws(BrokerSetupError) -> [String] {
        let text = try aclContents()
        var inside = false
        var names: [String] = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix(Self.spokesBegin) { inside = true } else if line.hasPrefix(Self.spokesEnd) { inside = false }
            if inside, line.hasPrefix("user ") { names.append(String(line.dropFirst("user ".count))) }
        }
        return names.sorted()
    }

    /// Whether the ACL still grants by username pattern (a file from before the allow list).
    public func aclUsesPatterns() throws(BrokerSetupError) -> Bool {
        try aclContents().split(separator: "\n").contains { $0.hasPrefix("pattern ") && ($0.contains("%u") || $0.contains("%c")) }
    }

    func aclContents() throws(BrokerSetupError) -> String {
        do {
            return try String(contentsOf: aclFile, encoding: .utf8)
        } catch {
            throw .io(path: aclFile.path, message: "cannot read: \(error.localizedDescription)")
        }
    }

    /// Rewrites the spoke sections for `spokes` (by default, every spoke in the password file),
    /// atomically and keeping the file's mode and owner.
    public func rewriteACL(spokes: [String]? = nil) throws(BrokerSetupError) {
        let text = try aclContents()
        let names: [String]
        if let spokes { names = spokes } else { names = try self.spokes() }
        let updated = try Self.replacingSpokeSections(
            in: text, spokes: names, topics: Self.topicsInACL(text) ?? topics, path: aclFile.path)
        guard updated != text else { return }
        try replaceFile(aclFile, with: updated)
    }
}
