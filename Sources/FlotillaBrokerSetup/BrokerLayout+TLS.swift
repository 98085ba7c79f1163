import Foundation

/// Adding TLS to a broker directory that `flotilla broker init` wrote without it.
extension BrokerLayout {
    /// Appends a TLS listener that requires client certificates to the existing configuration.
    /// Passwords and credentials stay exactly as they are, so the plain listener keeps working
    /// while spokes move to certificates. An ACL from before the allow list (`pattern … %u` lines,
    /// which would let any certificate the CA signs read the topics of its CN) is converted first.
    /// Restart the broker afterwards: mosquitto opens listeners only at start, a reload (SIGHUP)
    /// does not.
    /// - Throws: when the directory is not a broker directory, already has a TLS listener, or
    ///   the port is taken by one of its listeners or a TLS file cannot be read by the broker's
    ///   account.
    public func enableTLS(_ tls: TLSListener) throws(BrokerSetupError) {
        try requireInitialized()
        let text: String
        do {
            text = try String(contentsOf: configFile, encoding: .utf8)
        } catch {
            throw .io(path: configFile.path, message: "cannot read: \(error.localizedDescription)")
        }
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !lines.contains("require_certificate true") else {
            throw .invalidTLS("\(configFile.path) already has a TLS listener")
        }
        let account = try configuredAccount()
        // Every existing listener, so the new one gets a port of its own.
        for line in lines where line.hasPrefix("listener ") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let port = Int(parts[1]) else { continue }
            try Self.validate(
                tls: tls, plainPort: port, plainAddress: parts.count > 2 ? String(parts[2]) : tls.bindAddress, account: account)
        }
        try rewriteACL()
        let updated = text.hasSuffix("\n") ? text + tlsListenerText(tls) : text + "\n" + tlsListenerText(tls)
        // Through a temporary file and rename, keeping mode and owner: the broker never reads
        // half a configuration, and can still read it after switching accounts.
        try replaceFile(configFile, with: updated)
    }
}
