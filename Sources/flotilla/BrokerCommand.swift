import ArgumentParser
import FlotillaBrokerSetup
import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker", abstract: "Write and maintain a locked-down mosquitto directory for a fleet.",
        subcommands: [
            BrokerInitCommand.self, BrokerEnableTLSCommand.self, BrokerAddSpokeCommand.self, BrokerRemoveSpokeCommand.self,
            BrokerCRLCommand.self,
        ])
}

struct BrokerInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write DIR/mosquitto.conf, DIR/acl, DIR/passwd and DIR/credentials/NAME.password for the hub and each spoke.")

    @Option(help: "Directory to write (created; must not hold a mosquitto.conf yet).")
    var out: String

    @Option(help: "Listener port.")
    var port: Int

    @Option(help: "Listener address. Passwords cross it in clear text: keep it on loopback or a segregated network.")
    var bind: String = "127.0.0.1"

    @Option(name: .customLong("spoke"), help: "Spoke name (repeat); also its broker username.")
    var spokes: [String] = []

    @OptionGroup var topicOptions: TopicOptions

    @Option(help: "Also add a TLS listener on this port that requires client certificates (CN = spoke name, or hub).")
    var tlsPort: Int?

    @Option(help: "TLS listener address (default: --bind).")
    var tlsBind: String?

    @Option(help: "TLS listener: CA file that signs client certificates.")
    var cafile: String?

    @Option(help: "TLS listener: the broker's certificate file.")
    var certfile: String?

    @Option(help: "TLS listener: the broker's private key file.")
    var keyfile: String?

    @Option(help: "TLS listener: a certificate revocation list from the same CA (crlfile); revoked certificates fail the handshake.")
    var crlfile: String?

    @Option(
        help: """
            The account mosquitto switches to when root starts it (the config's `user`). Default: the account running \
            this; for root, `mosquitto`. Root may name another account: the files the broker reads are then \
            root:ITS-GROUP 0640, its data directory, pid file and log its own.
            """)
    var user: String?

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        let files = [cafile, certfile, keyfile]
        if tlsPort != nil {
            guard files.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--tls-port needs --cafile, --certfile and --keyfile")
            }
        } else if files.contains(where: { $0 != nil }) || tlsBind != nil || crlfile != nil {
            throw ValidationError("--cafile, --certfile, --keyfile, --crlfile and --tls-bind only go with --tls-port")
        }
    }

    /// `--user`, or the default: root's broker should not stay root.
    func account() throws -> String? {
        if let user { return user }
        guard geteuid() == 0 else { return nil }
        guard (try? BrokerAccount.named("mosquitto")) != nil else {
            throw RuntimeFailure(
                "running as root and there is no \"mosquitto\" account: give --user ACCOUNT, the unprivileged account the broker switches to (--user root keeps it root, which mosquitto warns against)")
        }
        return "mosquitto"
    }

    func run() async throws {
        var tls: TLSListener?
        if let tlsPort, let cafile, let certfile, let keyfile {
            tls = TLSListener(
                port: tlsPort, bindAddress: tlsBind ?? bind, caFile: cafile, certFile: certfile, keyFile: keyfile, crlFile: crlfile)
        }
        let runAs = try account()
        let layout: BrokerLayout
        do {
            layout = try BrokerLayout.create(
                at: URL(fileURLWithPath: out), port: port, bindAddress: bind, spokes: spokes,
                topics: topicOptions.topics, runAsUser: runAs, tls: tls, passwd: try MosquittoPasswd())
        } catch {
            throw RuntimeFailure("\(error)")
        }
        print("wrote \(layout.configFile.path), \(layout.aclFile.path), \(layout.passwordFile.path)")
        if let tls {
            print("TLS listener on \(tls.bindAddress):\(tls.port): client certificates from \(tls.caFile) required, CN = username")
            if let crl = tls.crlFile { print("certificates revoked in \(crl) are refused (re-read on kill -HUP)") }
        }
        print("credentials (0600) for hub and \(spokes.count) spoke(s) in \(layout.credentialsDirectory.path)")
        if let runAs { print("the broker runs as \(runAs) when root starts it") }
        print("start the broker: mosquitto -c \(layout.configFile.path)")
    }
}

struct BrokerAddSpokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-spoke", abstract: "Issue credentials for a new spoke; other users are left as they are.")

    @OptionGroup var target: SpokeTarget

    func run() async throws {
        let (layout, spoke) = (target.layout, target.spoke)
        do {
            try layout.addSpoke(spoke, passwd: try MosquittoPasswd())
        } catch {
            throw RuntimeFailure("\(error)")
        }
        print("added \(spoke): password in \(layout.credentialsFile(for: spoke).path), section in \(layout.aclFile.path)")
        print("if the broker is running: kill -HUP $(cat \(layout.pidFile.path))")
    }
}

struct BrokerRemoveSpokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove-spoke",
        abstract: "Take a spoke's access away: its ACL section, broker user and credentials file; other users are left as they are.",
        discussion: """
            After a reload (kill -HUP) the spoke's password is refused, and its certificate, on the TLS listener, \
            still connects but may read and write nothing. With --certificate and --ca-key its certificate is also \
            added to the TLS listener's CRL, so that it fails the TLS handshake.
            """)

    @OptionGroup var target: SpokeTarget

    @Option(help: "Also revoke this certificate (the spoke's; its CN must be the spoke name) in the CRL. Needs --ca-key.")
    var certificate: String?

    @Option(help: "The CA's private key, to sign the new CRL.")
    var caKey: String?

    @Option(help: "The CA certificate (default: the TLS listener's cafile).")
    var caCert: String?

    @Option(help: "The CRL to add the certificate to (default: the TLS listener's crlfile). openssl's database is kept beside it.")
    var crl: String?

    func validate() throws {
        if (certificate == nil) != (caKey == nil) { throw ValidationError("--certificate and --ca-key go together") }
        if certificate == nil && (caCert != nil || crl != nil) { throw ValidationError("--ca-cert and --crl only go with --certificate") }
    }

    func run() async throws {
        let (layout, spoke) = (target.layout, target.spoke)
        let caCertURL = caCert.map { URL(fileURLWithPath: $0) }
        let crlURL = crl.map { URL(fileURLWithPath: $0) }
        do {
            // Checked before anything changes: the certificate is this spoke's, from this CA.
            if let certificate { try layout.checkRevocable(URL(fileURLWithPath: certificate), of: spoke, caCert: caCertURL, crl: crlURL) }
            if certificate != nil, try !layout.hasSpoke(spoke) {
                print("\(spoke) has no credentials or ACL section left; revoking its certificate only")
            } else {
                try layout.removeSpoke(spoke, passwd: try MosquittoPasswd())
                print("removed \(spoke): its ACL section, password hash and credentials file")
            }
            if let certificate, let caKey {
                let (file, serial) = try layout.revokeCertificate(
                    URL(fileURLWithPath: certificate), of: spoke, caKey: URL(fileURLWithPath: caKey), caCert: caCertURL, crl: crlURL)
                print("revoked certificate serial \(serial) in \(file.path)")
            }
        } catch {
            throw RuntimeFailure("\(error)")
        }
        print("if the broker is running: kill -HUP $(cat \(layout.pidFile.path)) (re-reads the password file, ACL and CRL)")
        print("the hub clears its retained topics once it has left the inventory (see docs/operations.md, \"Retiring a spoke\")")
    }
}

struct BrokerCRLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crl",
        abstract: "Write the TLS listener's certificate revocation list anew: empty the first time, renewed before it expires.",
        discussion: """
            The list holds every certificate revoked so far (remove-spoke --certificate); openssl's database is kept \
            beside it (FILE.index, FILE.crlnumber). It is valid for \(BrokerLayout.crlValidityDays) days: with crlfile set, \
            OpenSSL refuses every client once it has expired. Reload the broker afterwards (kill -HUP).
            """)

    @Option(help: "Directory written by `flotilla broker init` (for the TLS listener's crlfile and cafile).")
    var dir: String?

    @Option(help: "The CA's private key, to sign the CRL.")
    var caKey: String

    @Option(help: "The CA certificate (default: the TLS listener's cafile).")
    var caCert: String?

    @Option(help: "The CRL file (default: the TLS listener's crlfile).")
    var crl: String?

    func validate() throws {
        if dir == nil && (caCert == nil || crl == nil) { throw ValidationError("without --dir, give --crl and --ca-cert") }
    }

    func run() async throws {
        let written: URL
        do {
            if let dir {
                written = try BrokerLayout(directory: URL(fileURLWithPath: dir)).renewCRL(
                    caKey: URL(fileURLWithPath: caKey), caCert: caCert.map { URL(fileURLWithPath: $0) },
                    crl: crl.map { URL(fileURLWithPath: $0) })
            } else if let crl, let caCert {
                written = URL(fileURLWithPath: crl)
                try BrokerLayout.writeCRL(written, caCert: URL(fileURLWithPath: caCert), caKey: URL(fileURLWithPath: caKey))
            } else {
                throw RuntimeFailure("without --dir, give --crl and --ca-cert")
            }
        } catch let error as RuntimeFailure {
            throw error
        } catch {
            throw RuntimeFailure("\(error)")
        }
        print("wrote \(written.path), valid for \(BrokerLayout.crlValidityDays) days")
        print("if the broker is running: kill -HUP (it re-reads the CRL)")
    }
}

/// The flags `add-spoke` and `remove-spoke` share: which broker directory, which spoke.
struct SpokeTarget: ParsableArguments {
    @Option(help: "Directory written by `flotilla broker init`.")
    var dir: String

    @Option(help: "Spoke name.")
    var spoke: String

    var layout: BrokerLayout { BrokerLayout(directory: URL(fileURLWithPath: dir)) }
}
