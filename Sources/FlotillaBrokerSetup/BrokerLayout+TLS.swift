import Foundation

/// Adding TLS to a broker directory that `flotilla broker init` wrote without it.
extension BrokerLayout {
    /// Appends a TLS listener that requires client certificates to the existing configuration.
    /// Passwords, credentials and the ACL stay exactly as they are, so the plain listener keeps
    /// working while spokes move to certificates. Restart the broker afterwards: mosquitto opens
    /// listeners only at start, a reload (SIGHUP) does not.
    /// - Throws: when the directory is not a broker directory, already has a TLS listener, or
    ///   the port is taken by one of its listeners or a TLS file cannot be read.
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
        // Every existing listener, so the new one gets a port of its own.
        for line in lines where line.hasPrefix("listener ") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let port = Int(parts[1]) else { continue }
            try Self.validate(tls: tls, plainPort: port, plainAddress: parts.count > 2 ? String(parts[2]) : tls.bindAddress)
        }
        let updated = text.hasSuffix("\n") ? text + tlsListenerText(tls) : text + "\n" + tlsListenerText(tls)
        // Through a temporary file and rename: the broker never reads half a configuration.
        let tmp = configFile.deletingLastPathComponent().appendingPathComponent(".mosquitto.conf.tmp")
        do {
            try Data(updated.utf8).write(to: tmp)
            guard chmod(tmp.path, 0o600) == 0, rename(tmp.path, configFile.path) == 0 else {
                let message = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: tmp)
                throw BrokerSetupError.io(path: configFile.path, message: message)
            }
        } catch let error as BrokerSetupError {
            throw error
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw .io(path: configFile.path, message: error.localizedDescription)
        }
    }
}
