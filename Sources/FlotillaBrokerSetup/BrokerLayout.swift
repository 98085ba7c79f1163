import FlotillaModel
import FlotillaWire
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A self-contained, locked-down mosquitto directory for one fleet:
///
/// ```
/// DIR/mosquitto.conf          listener, persistence under DIR/data, limits, no anonymous clients
/// DIR/acl                     hub: all of the fleet's topics; each spoke: only its own (one section each)
/// DIR/passwd                  hashes made by mosquitto_passwd
/// DIR/credentials/NAME.password  one clear-text password per client (0600), for --password-file
/// DIR/data/                   mosquitto's persistence
/// ```
///
/// Start the broker with `mosquitto -c DIR/mosquitto.conf`. ``addSpoke(_:passwd:)`` and
/// ``removeSpoke(_:passwd:)`` change only the user they name (its hash, its credentials file, its
/// ACL section); a running broker picks the change up on `kill -HUP $(cat DIR/mosquitto.pid)`.
///
/// Written by root for another account (`runAsUser`, e.g. `mosquitto`), the files the broker reads
/// are `root:GROUP 0640` (GROUP being that account's group) in a `root:GROUP 0750` directory, its
/// persistence directory, pid file and log belong to it, and `credentials/` stays root's alone.
/// Otherwise everything belongs to the account that wrote it, `0600`/`0700`.
public struct BrokerLayout: Sendable {
    /// The hub's broker username; no spoke may take it.
    public static let hubUser = "hub"

    public let directory: URL
    public let topics: Topics

    /// Refers to `directory`, which ``create(at:port:bindAddress:spokes:topics:runAsUser:passwd:)``
    /// writes or an earlier run wrote.
    public init(directory: URL, topics: Topics = Topics()) {
        self.directory = directory.standardizedFileURL
        self.topics = topics
    }

    public var configFile: URL { directory.appendingPathComponent("mosquitto.conf") }
    public var aclFile: URL { directory.appendingPathComponent("acl") }
    public var passwordFile: URL { directory.appendingPathComponent("passwd") }
    public var credentialsDirectory: URL { directory.appendingPathComponent("credentials") }
    public var dataDirectory: URL { directory.appendingPathComponent("data") }
    public var logFile: URL { directory.appendingPathComponent("mosquitto.log") }
    public var pidFile: URL { directory.appendingPathComponent("mosquitto.pid") }

    /// The file holding `user`'s clear-text password, for `--password-file`.
    public func credentialsFile(for user: String) -> URL {
        credentialsDirectory.appendingPathComponent("\(user).password")
    }

    /// `user`'s password as written by this layout.
    public func password(for user: String) throws(BrokerSetupError) -> String {
        let file = credentialsFile(for: user)
        do {
            return try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw .io(path: file.path, message: "cannot read: \(error.localizedDescription)")
        }
    }

    /// Spokes with an entry in the password file, sorted (the hub is not a spoke).
    public func spokes() throws(BrokerSetupError) -> [String] {
        try users().filter { $0 != Self.hubUser }.sorted()
    }

    /// Every username in the password file, in file order.
    public func users() throws(BrokerSetupError) -> [String] {
        let text: String
        do {
            text = try String(contentsOf: passwordFile, encoding: .utf8)
        } catch {
            throw .io(path: passwordFile.path, message: "cannot read: \(error.localizedDescription)")
        }
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            guard !line.hasPrefix("#"), let colon = line.firstIndex(of: ":") else { return nil }
            return String(line[..<colon])
        }
    }

    /// Writes a new broker directory with credentials for the hub and for each spoke.
    ///
    /// - Parameters:
    ///   - port: the listener's TCP port.
    ///   - bindAddress: the listener's address; loopback unless spokes on a network must reach it.
    ///   - runAsUser: the `user` mosquitto drops to when started as root; defaults to the user
    ///     running this, who then owns every file written, so the broker works when started by
    ///     root or by that user. Another account needs this to run as root, which hands the
    ///     broker's files to that account's group (see the type's description).
    /// - Throws: ``BrokerSetupError`` listing every bad spoke name at once, when the directory
    ///   already holds a configuration, when `runAsUser` does not exist or cannot read a TLS file,
    ///   or when a file or `mosquitto_passwd` fails.
    @discardableResult
    public static func create(
        at directory: URL, port: Int, bindAddress: String = "127.0.0.1", spokes: [String], topics: Topics = Topics(),
        runAsUser: String? = nil, tls: TLSListener? = nil, passwd: MosquittoPasswd
    ) throws(BrokerSetupError) -> BrokerLayout {
        guard (1...65535).contains(port) else { throw .invalidPort(port) }
        try validate(spokes: spokes)
        let account: BrokerAccount
        if let runAsUser { account = try BrokerAccount.named(runAsUser) } else { account = BrokerAccount.current() }
        if account.isSeparate && geteuid() != 0 {
            throw .invalidUser(
                "only root can write a broker directory for another account (\"\(account.name)\"); run this as root, or as \(account.name)")
        }
        if let tls { try validate(tls: tls, plainPort: port, plainAddress: bindAddress, account: account) }
        let layout = BrokerLayout(directory: directory, topics: topics)
        let fm = FileManager.default
        guard !fm.fileExists(atPath: layout.configFile.path) else { throw .alreadyInitialized(directory: layout.directory.path) }
        let existed = fm.fileExists(atPath: layout.directory.path)
        do {
            try fm.createDirectory(at: layout.directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw .io(path: layout.directory.deletingLastPathComponent().path, message: "cannot create: \(error.localizedDescription)")
        }
        try layout.makeDirectory(layout.directory, mode: 0o700)
        do {
            try layout.populate(
                spokes: spokes, port: port, bindAddress: bindAddress, account: account, tls: tls, passwd: passwd)
        } catch {
            // A half-written directory would make the next `init` fail on files that exist.
            if !existed { try? fm.removeItem(at: layout.directory) }
            throw error
        }
        return layout
    }

    func populate(
        spokes: [String], port: Int, bindAddress: String, account: BrokerAccount, tls: TLSListener?, passwd: MosquittoPasswd
    ) throws(BrokerSetupError) {
        try makeDirectory(dataDirectory, mode: 0o700)
        try makeDirectory(credentialsDirectory, mode: 0o700)
        // The broker's account reads these; the rest of the world does not.
        let shared: mode_t = account.isSeparate ? 0o640 : 0o600
        try writeNew(aclFile, aclText(spokes: spokes), mode: shared)
        try writeNew(passwordFile, "", mode: shared)
        if account.isSeparate {
            let (me, group) = (geteuid(), account.gid)
            try setOwner(directory, uid: me, gid: group, mode: 0o750)
            try setOwner(aclFile, uid: me, gid: group, mode: 0o640)
            // mosquitto_passwd rewrites the file in place: owner and mode stay.
            try setOwner(passwordFile, uid: me, gid: group, mode: 0o640)
            // Written by the broker after it has switched accounts.
            try setOwner(dataDirectory, uid: account.uid, gid: group, mode: 0o700)
            for file in [pidFile, logFile] {
                try writeNew(file, "", mode: 0o640)
                try setOwner(file, uid: account.uid, gid: group, mode: 0o640)
            }
        }
        for user in [Self.hubUser] + spokes {
            try issueCredentials(for: user, passwd: passwd)
        }
        let settings = BrokerSettings(
            port: port, bindAddress: bindAddress, runAsUser: account.name, spokeCount: spokes.count, tls: tls)
        // Written last: its presence marks a complete directory.
        try writeNew(configFile, configText(settings), mode: shared)
        if account.isSeparate { try setOwner(configFile, uid: geteuid(), gid: account.gid, mode: 0o640) }
    }

    /// Issues credentials for a new spoke and gives it its ACL section; every other user's
    /// password, hash and section stay as they are. An ACL from before the allow list (`pattern`
    /// lines) is converted on the way.
    /// - Throws: when the name is invalid or taken, or the directory is not a broker directory.
    public func addSpoke(_ name: String, passwd: MosquittoPasswd) throws(BrokerSetupError) {
        try Self.validate(spokes: [name])
        try requireInitialized()
        guard try !users().contains(name), !FileManager.default.fileExists(atPath: credentialsFile(for: name).path) else {
            throw .spokeExists(name: name, directory: directory.path)
        }
        // The section first, then the password; a failure of the second takes the section away again.
        try rewriteACL(spokes: try spokes() + [name])
        do {
            try issueCredentials(for: name, passwd: passwd)
        } catch {
            try? rewriteACL()
            throw error
        }
    }

    /// Takes a spoke's access away: its ACL section first (so its certificate, on the TLS
    /// listener, may read and write nothing after the next reload), then its hash and its
    /// credentials file. Nothing else changes. An ACL from before the allow list is converted on
    /// the way. Running it again after a failure finishes the job.
    public func removeSpoke(_ name: String, passwd: MosquittoPasswd) throws(BrokerSetupError) {
        guard name != Self.hubUser else {
            throw .invalidSpokeNames(["\"\(name)\" is the hub's user, not a spoke"])
        }
        try requireInitialized()
        let file = credentialsFile(for: name)
        let hasHash = try users().contains(name)
        let hasFile = FileManager.default.fileExists(atPath: file.path)
        guard try hasSpoke(name) else { throw .noSuchSpoke(name: name, directory: directory.path) }
        try rewriteACL(spokes: try spokes().filter { $0 != name })
        if hasHash { try passwd.delete(user: name, from: passwordFile) }
        if hasFile {
            do {
                try FileManager.default.removeItem(at: file)
            } catch {
                throw .io(path: file.path, message: "cannot remove: \(error.localizedDescription)")
            }
        }
    }

    /// Whether `name` has anything left here: a hash, a credentials file or an ACL section.
    public func hasSpoke(_ name: String) throws(BrokerSetupError) -> Bool {
        if try users().contains(name) { return true }
        if FileManager.default.fileExists(atPath: credentialsFile(for: name).path) { return true }
        return try aclSpokes().contains(name)
    }

    /// Checks every name and reports all problems together.
    public static func validate(spokes: [String]) throws(BrokerSetupError) {
        var problems: [String] = []
        var seen: Set<String> = []
        for name in spokes {
            if name == hubUser {
                problems.append("\"\(name)\" is reserved for the hub's broker user")
            } else if !Spoke.isValidName(name) {
                problems.append(
                    "\"\(name)\" is not a DNS-1123 label (1-63 lowercase letters, digits and '-', starting and ending with a letter or digit)")
            } else if !seen.insert(name).inserted {
                problems.append("\"\(name)\" is given twice")
            }
        }
        if !problems.isEmpty { throw .invalidSpokeNames(problems) }
    }

    /// Checks a TLS listener before anything is written: a port of its own, and files that can be
    /// read now (mosquitto would refuse to start otherwise, with less to go on).
    /// mosquitto loads them after switching to `account`, so that account must be able to read them.
    static func validate(tls: TLSListener, plainPort: Int, plainAddress: String, account: BrokerAccount) throws(BrokerSetupError) {
        guard (1...65535).contains(tls.port) else { throw .invalidPort(tls.port) }
        guard tls.port != plainPort || tls.bindAddress != plainAddress else {
            throw .invalidTLS("the TLS listener needs a port of its own, not the plain listener's \(plainPort)")
        }
        for (option, path) in tls.files {
            guard let f = fopen(path, "r") else {
                throw .invalidTLS("cannot read the TLS \(option) \(path): \(String(cString: strerror(errno)))")
            }
            fclose(f)
            guard account.canRead(path) else {
                throw .invalidTLS(
                    "the broker runs as \"\(account.name)\", which cannot read the TLS \(option) \(path) (mosquitto loads it after switching to that account); e.g. chgrp \(account.name) \(path) && chmod 0640 \(path), and make every directory above it searchable")
            }
        }
    }

    /// 32 bytes from the system's CSPRNG, base64url without padding: 43 characters that need no
    /// quoting in a shell, a config file or a URL.
    public static func generatePassword() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    func issueCredentials(for user: String, passwd: MosquittoPasswd) throws(BrokerSetupError) {
        let password = Self.generatePassword()
        let file = credentialsFile(for: user)
        try writeNew(file, password + "\n", mode: 0o600)
        do {
            try passwd.set(user: user, password: password, in: passwordFile)
        } catch {
            // No credentials file without a matching hash.
            try? FileManager.default.removeItem(at: file)
            throw error
        }
    }

    func requireInitialized() throws(BrokerSetupError) {
        let fm = FileManager.default
        guard fm.fileExists(atPath: configFile.path), fm.fileExists(atPath: passwordFile.path),
            fm.fileExists(atPath: credentialsDirectory.path)
        else { throw .notInitialized(directory: directory.path) }
    }

    func makeDirectory(_ url: URL, mode: mode_t) throws(BrokerSetupError) { try Self.makeDirectory(url, mode: mode) }

    static func makeDirectory(_ url: URL, mode: mode_t) throws(BrokerSetupError) {
        if mkdir(url.path, mode) != 0 && errno != EEXIST {
            throw .io(path: url.path, message: "cannot create directory: \(String(cString: strerror(errno)))")
        }
    }

    /// Creates `url` with `mode` from the first byte on (no window where others can read it);
    /// refuses to replace an existing file.
    func writeNew(_ url: URL, _ text: String, mode: mode_t) throws(BrokerSetupError) { try Self.writeNew(url, text, mode: mode) }

    static func writeNew(_ url: URL, _ text: String, mode: mode_t) throws(BrokerSetupError) {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0o600)
        guard fd >= 0 else {
            throw .io(path: url.path, message: "cannot create: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        // The mode asked for, whatever the umask.
        guard fchmod(fd, mode) == 0 else { throw .io(path: url.path, message: "chmod: \(String(cString: strerror(errno)))") }
        try writeAll(fd, text, path: url.path)
    }
}
