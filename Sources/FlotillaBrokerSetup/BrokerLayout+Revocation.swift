import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Refusing a removed spoke's certificate at the TLS handshake, for an operator who holds the
/// CA key: the certificate goes into a certificate revocation list (the TLS listener's
/// `crlfile`), made by `openssl ca`. mosquitto re-reads the CRL on SIGHUP; a listed certificate
/// then fails the handshake ("certificate verify failed" in the broker's log).
///
/// openssl's database is kept beside the CRL (`CRL.index`, `CRL.crlnumber`), so every revocation
/// adds to the list and none is forgotten. A CRL that exists without that database was made
/// elsewhere; it is refused rather than replaced by a list that would forget its entries.
extension BrokerLayout {
    /// How long each CRL is valid. With `crlfile` set, OpenSSL refuses every client certificate
    /// once the CRL's `nextUpdate` has passed, so it is long; write a new CRL (any revocation, or
    /// `openssl ca -gencrl`) well before it expires.
    public static let crlValidityDays = 3650

    /// The TLS listener's `cafile` and `crlfile` in the configuration, if set.
    public func tlsListenerFiles() throws(BrokerSetupError) -> (caFile: String?, crlFile: String?) {
        let text: String
        do {
            text = try String(contentsOf: configFile, encoding: .utf8)
        } catch {
            throw .io(path: configFile.path, message: "cannot read: \(error.localizedDescription)")
        }
        var (ca, crl): (String?, String?) = (nil, nil)
        for line in text.split(separator: "\n") {
            if line.hasPrefix("cafile ") { ca = String(line.dropFirst("cafile ".count)) }
            if line.hasPrefix("crlfile ") { crl = String(line.dropFirst("crlfile ".count)) }
        }
        return (ca, crl)
    }

    /// Adds `certificate` to the CRL and writes the CRL anew (atomically, keeping its mode and
    /// owner; a new CRL is `0644`: it holds no secret).
    ///
    /// - Parameters:
    ///   - certificate: the spoke's certificate; its CN must be `spoke` (so a slip of the finger
    ///     cannot lock out another spoke) and `caCert` must have signed it.
    ///   - caKey: the CA's private key.
    ///   - caCert: the CA certificate; by default the TLS listener's `cafile`.
    ///   - crl: the CRL to maintain; by default the TLS listener's `crlfile`.
    /// - Returns: the CRL written and the revoked certificate's serial number.
    @discardableResult
    public func revokeCertificate(
        _ certificate: URL, of spoke: String, caKey: URL, caCert: URL? = nil, crl: URL? = nil
    ) throws(BrokerSetupError) -> (crl: URL, serial: String) {
        let (crlFile, caFile) = try crlDefaults(caCert: caCert, crl: crl)
        let serial = try Self.writeCRL(crlFile, caCert: caFile, caKey: caKey, revoking: (certificate, spoke))
        return (crlFile, serial ?? "")
    }

    /// Writes the TLS listener's CRL (or `crl`) anew with what it revokes: an empty list the first
    /// time, a renewed one before it expires.
    /// - Returns: the CRL written.
    @discardableResult
    public func renewCRL(caKey: URL, caCert: URL? = nil, crl: URL? = nil) throws(BrokerSetupError) -> URL {
        let (crlFile, caFile) = try crlDefaults(caCert: caCert, crl: crl)
        try Self.writeCRL(crlFile, caCert: caFile, caKey: caKey)
        return crlFile
    }

    /// Checks, before anything changes, that `certificate` can be revoked for `spoke`: its CN is
    /// the spoke's name, the CA signed it, and there is a CRL to put it in.
    /// - Returns: its serial number.
    @discardableResult
    public func checkRevocable(_ certificate: URL, of spoke: String, caCert: URL? = nil, crl: URL? = nil) throws(BrokerSetupError)
        -> String
    {
        let (_, caFile) = try crlDefaults(caCert: caCert, crl: crl)
        return try Self.checkCertificate(certificate, of: spoke, caCert: caFile, openssl: try Self.opensslPath())
    }

    /// The CRL and CA certificate to use: those given, or the TLS listener's `crlfile` and `cafile`.
    func crlDefaults(caCert: URL?, crl: URL?) throws(BrokerSetupError) -> (crl: URL, caCert: URL) {
        let configured = try tlsListenerFiles()
        guard let crlFile = crl ?? configured.crlFile.map({ URL(fileURLWithPath: $0) }) else {
            throw .revocation(
                "no --crl given and the TLS listener in \(configFile.path) has no crlfile: write one with `flotilla broker crl --crl FILE`, add `crlfile FILE` to the listener and restart the broker")
        }
        guard let caFile = caCert ?? configured.caFile.map({ URL(fileURLWithPath: $0) }) else {
            throw .revocation("no --ca-cert given and \(configFile.path) has no TLS listener with a cafile")
        }
        return (crlFile, caFile)
    }

    /// Writes the CRL `crlFile` signed by the CA anew, with every certificate revoked so far and,
    /// if given, `revoking` (a certificate and the spoke whose CN it must carry); the first call
    /// makes an empty list. Run it also to renew a CRL before its next update.
    /// - Returns: the serial number of the certificate revoked, if any.
    @discardableResult
    public static func writeCRL(
        _ crlFile: URL, caCert caFile: URL, caKey: URL, revoking: (certificate: URL, spoke: String)? = nil
    ) throws(BrokerSetupError) -> String? {
        let openssl = try opensslPath()
        var serial: String?
        if case let (certificate, spoke)? = revoking {
            serial = try checkCertificate(certificate, of: spoke, caCert: caFile, openssl: openssl)
        }

        // openssl's database beside the CRL.
        let index = URL(fileURLWithPath: crlFile.path + ".index")
        let number = URL(fileURLWithPath: crlFile.path + ".crlnumber")
        let fm = FileManager.default
        if !fm.fileExists(atPath: index.path) {
            guard !fm.fileExists(atPath: crlFile.path) else {
                throw .revocation(
                    "\(crlFile.path) was not made here (no \(index.lastPathComponent) beside it), and a new list would forget what it revokes: revoke with openssl where it was made (docs/operations.md), or put its index.txt at \(index.path) and its crlnumber at \(number.path)")
            }
            try writeNew(index, "", mode: 0o600)
        }
        if !fm.fileExists(atPath: number.path) { try writeNew(number, "1000\n", mode: 0o600) }

        let scratch = fm.temporaryDirectory.appendingPathComponent("flotilla-crl-\(UUID().uuidString.prefix(8))")
        try makeDirectory(scratch, mode: 0o700)
        defer { try? fm.removeItem(at: scratch) }
        let config = scratch.appendingPathComponent("ca.cnf")
        try writeNew(
            config,
            """
            [ ca ]
            default_ca = flotilla
            [ flotilla ]
            database = \(index.path)
            crlnumber = \(number.path)
            default_md = sha256
            default_crl_days = \(crlValidityDays)
            unique_subject = no

            """, mode: 0o600)
        let common = ["-batch", "-config", config.path, "-keyfile", caKey.path, "-cert", caFile.path]
        if let certificate = revoking?.certificate {
            do {
                _ = try run(openssl, ["ca"] + common + ["-revoke", certificate.path])
            } catch {
                // Revoked before: the list is written again all the same.
                guard case .revocation(let message) = error, message.contains("Already revoked") else { throw error }
            }
        }
        let fresh = scratch.appendingPathComponent("crl.pem")
        _ = try run(openssl, ["ca"] + common + ["-gencrl", "-out", fresh.path])
        let text: String
        do {
            text = try String(contentsOf: fresh, encoding: .utf8)
        } catch {
            throw .io(path: fresh.path, message: "cannot read: \(error.localizedDescription)")
        }
        try replaceFile(crlFile, with: text, mode: 0o644)
        return serial
    }

    /// `certificate`'s serial number, once its CN is `spoke` and `caFile` has signed it.
    static func checkCertificate(_ certificate: URL, of spoke: String, caCert caFile: URL, openssl: String) throws(BrokerSetupError)
        -> String
    {
        let subject = try run(openssl, ["x509", "-in", certificate.path, "-noout", "-subject", "-nameopt", "RFC2253"])
        let cn = subject.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "subject=", with: "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("CN=") }.map { String($0.dropFirst(3)) }
        guard cn == spoke else {
            throw .revocation(
                "\(certificate.path) is the certificate of CN=\(cn ?? "(none)"), not of spoke \"\(spoke)\": refusing to revoke another identity")
        }
        do {
            _ = try run(openssl, ["verify", "-CAfile", caFile.path, certificate.path])
        } catch {
            throw .revocation("\(certificate.path) is not signed by the CA \(caFile.path): \(error)")
        }
        return try run(openssl, ["x509", "-in", certificate.path, "-noout", "-serial"])
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
    }

    static func opensslPath() throws(BrokerSetupError) -> String {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/openssl" }
        guard let found = (path + ["/usr/bin/openssl", "/usr/local/bin/openssl"]).first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else {
            throw .revocation("openssl not found; install it with `apt-get install openssl`")
        }
        return found
    }

    /// Runs `openssl ARGS…` (no secrets on the command line: only file names) and returns its
    /// standard output; a failure carries its output.
    static func run(_ executable: String, _ arguments: [String]) throws(BrokerSetupError) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            throw .revocation("cannot start \(executable): \(error.localizedDescription)")
        }
        // Both pipes drained before waiting: openssl's output is small, but never risk a full pipe.
        let errors = DrainedOutput()
        let thread = Thread { errors.set(err.fileHandleForReading.readDataToEndOfFile()) }
        thread.start()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let stderr = String(decoding: errors.wait(), as: UTF8.self)
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw .revocation(
                "openssl \(arguments.prefix(2).joined(separator: " ")) failed with status \(process.terminationStatus): \((stderr + output).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return output
    }
}

/// A byte buffer filled by one thread and awaited by another.
private final class DrainedOutput: @unchecked Sendable {
    // @unchecked: `data` is guarded by `condition`.
    private let condition = NSCondition()
    private var data: Data?

    func set(_ value: Data) {
        condition.lock()
        data = value
        condition.signal()
        condition.unlock()
    }

    func wait() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while data == nil { condition.wait() }
        return data ?? Data()
    }
}
