import FlotillaMQTT
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A certificate and its private key (mode 0600), as PEM files.
public struct CertificatePair: Sendable, Hashable {
    public let certFile: URL
    public let keyFile: URL
}

/// A throw-away PKI made with the `openssl` command line: a CA, a server certificate for
/// 127.0.0.1 and localhost (in the SAN, which libmosquitto checks), and client certificates whose
/// CN is a spoke name (or `hub`). EC P-256 keys, valid for two days, all under one directory.
///
/// Every file is written by `openssl` into a file created beforehand with mode 0600 for keys, so
/// no key is ever readable by others.
public struct TestCertificates: Sendable {
    public let directory: URL
    /// The CA certificate: `--cafile` for clients and `cafile` for the broker.
    public let caFile: URL
    /// The CA's private key (0600), for tests that sign more.
    public let caKey: URL
    /// The broker's certificate, for `127.0.0.1` and `localhost`.
    public let server: CertificatePair

    /// Makes a new CA named `caName` and a server certificate under `directory` (created).
    /// - Throws: ``TestSupportError`` when `openssl` is missing (`make test` installs it) or fails.
    public init(at directory: URL, caName: String = "Flotilla test CA") throws {
        self.directory = directory.standardizedFileURL
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        caFile = self.directory.appendingPathComponent("ca.crt")
        caKey = self.directory.appendingPathComponent("ca.key")
        try Self.privateFile(caKey)
        try Self.openssl([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", caKey.path, "-out", caFile.path, "-days", "2", "-subj", "/CN=\(caName)",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
        server = CertificatePair(
            certFile: self.directory.appendingPathComponent("server.crt"), keyFile: self.directory.appendingPathComponent("server.key"))
        try issue(
            server, subject: "/CN=localhost",
            extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
    }

    /// The certificate of client `commonName` (a spoke name, or `hub`), issued on first use.
    public func client(_ commonName: String) throws -> CertificatePair {
        let safe = commonName.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        let pair = CertificatePair(
            certFile: directory.appendingPathComponent("client-\(String(safe)).crt"),
            keyFile: directory.appendingPathComponent("client-\(String(safe)).key"))
        if FileManager.default.fileExists(atPath: pair.certFile.path) { return pair }
        try issue(pair, subject: "/CN=\(commonName)", extensions: "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n")
        return pair
    }

    /// Client TLS options for `commonName`'s certificate, trusting this CA.
    public func tls(for commonName: String) throws -> MQTTConfiguration.TLS {
        let pair = try client(commonName)
        return MQTTConfiguration.TLS(caFile: caFile.path, certFile: pair.certFile.path, keyFile: pair.keyFile.path)
    }

    /// `--cafile`, `--cert` and `--key` for `flotilla`, `mosquitto_sub` and `mosquitto_pub`.
    public func arguments(for commonName: String) throws -> [String] {
        let pair = try client(commonName)
        return ["--cafile", caFile.path, "--cert", pair.certFile.path, "--key", pair.keyFile.path]
    }

    /// A new key, and a certificate signed by this CA with `extensions` (openssl extfile syntax).
    func issue(_ pair: CertificatePair, subject: String, extensions: String) throws {
        let csr = pair.certFile.deletingPathExtension().appendingPathExtension("csr")
        let ext = pair.certFile.deletingPathExtension().appendingPathExtension("ext")
        defer {
            try? FileManager.default.removeItem(at: csr)
            try? FileManager.default.removeItem(at: ext)
        }
        try Self.privateFile(pair.keyFile)
        try Self.openssl([
            "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", pair.keyFile.path, "-out", csr.path, "-subj", subject,
        ])
        try extensions.write(to: ext, atomically: true, encoding: .utf8)
        // A random serial: certificates of different test CAs never share one, and no serial file.
        let serial = "0x" + (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...127)) }.joined()
        try Self.openssl([
            "x509", "-req", "-in", csr.path, "-CA", caFile.path, "-CAkey", caKey.path, "-set_serial", serial,
            "-days", "2", "-extfile", ext.path, "-out", pair.certFile.path,
        ])
    }

    /// Creates `url` empty with mode 0600 (openssl then writes into it, keeping the mode), and
    /// sets the mode again in case the file existed.
    static func privateFile(_ url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw TestSupportError("cannot create \(url.path): \(String(cString: strerror(errno)))") }
        close(fd)
        guard chmod(url.path, 0o600) == 0 else { throw TestSupportError("chmod \(url.path): \(String(cString: strerror(errno)))") }
    }

    /// Runs `openssl ARGS…` to completion (each run takes milliseconds).
    static func openssl(_ arguments: [String]) throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("flotilla-test-openssl-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let process = try SpawnedProcess(
            executable: try Executable.find("openssl", extra: ["/usr/bin/openssl"]), arguments: arguments, logFile: log.path)
        let status = process.exitCode
        guard status == 0 else {
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw TestSupportError("openssl \(arguments.prefix(2).joined(separator: " ")) failed with status \(status): \(output)")
        }
    }
}
