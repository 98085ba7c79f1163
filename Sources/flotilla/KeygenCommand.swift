import ArgumentParser
import FlotillaModel
import FlotillaWire
import Foundation

struct KeygenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Write a new Ed25519 hub signing key pair: DIR/hub.key (0600) and DIR/hub.pub.")

    @Option(help: "Directory to write hub.key and hub.pub into.")
    var out: String

    @Flag(help: "Overwrite existing key files.")
    var force = false

    func run() async throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        let keyPath = (out as NSString).appendingPathComponent("hub.key")
        let pubPath = (out as NSString).appendingPathComponent("hub.pub")
        if !force, fm.fileExists(atPath: keyPath) || fm.fileExists(atPath: pubPath) {
            throw RuntimeFailure("\(keyPath) or \(pubPath) exists; pass --force to replace it")
        }
        let key = SigningKey()
        // Create the private key with mode 0600 from the start: no window where others can read it.
        guard fm.createFile(atPath: keyPath, contents: Data((key.base64 + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw RuntimeFailure("cannot write \(keyPath)")
        }
        try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyPath)
        try Data((key.verifyingKey.base64 + "\n").utf8).write(to: URL(fileURLWithPath: pubPath))
        print("wrote \(keyPath) (private, 0600) and \(pubPath) (key id \(key.keyID))")
    }
}
