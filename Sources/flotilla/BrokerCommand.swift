import ArgumentParser
import FlotillaBrokerSetup
import Foundation

struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker", abstract: "Write and maintain a locked-down mosquitto directory for a fleet.",
        subcommands: [BrokerInitCommand.self, BrokerEnableTLSCommand.self, BrokerAddSpokeCommand.self, BrokerRemoveSpokeCommand.self])
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

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535") }
        let files = [cafile, certfile, keyfile]
        if tlsPort != nil {
            guard files.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--tls-port needs --cafile, --certfile and --keyfile")
            }
        } else if files.contains(where: { $0 != nil }) || tlsBind != nil {
            throw ValidationError("--cafile, --certfile, --keyfile and --tls-bind only go with --tls-port")
        }
    }

    func run() async throws {
        var tls: TLSListener?
        if let tlsPort, let cafile, let certfile, let keyfile {
            tls = TLSListener(port: tlsPort, bindAddress: tlsBind ?? bind, caFile: cafile, certFile: certfile, keyFile: keyfile)
        }
        let layout = try BrokerLayout.create(
            at: URL(fileURLWithPath: out), port: port, bindAddress: bind, spokes: spokes,
            topics: topicOptions.topics, tls: tls, passwd: try MosquittoPasswd())
        print("wrote \(layout.configFile.path), \(layout.aclFile.path), \(layout.passwordFile.path)")
        if let tls {
            print("TLS listener on \(tls.bindAddress):\(tls.port): client certificates from \(tls.caFile) required, CN = username")
        }
        print("credentials (0600) for hub and \(spokes.count) spoke(s) in \(layout.credentialsDirectory.path)")
        print("start the broker: mosquitto -c \(layout.configFile.path)")
    }
}

struct BrokerAddSpokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-spoke", abstract: "Issue credentials for a new spoke; other users are left as they are.")

    @OptionGroup var target: SpokeTarget

    func run() async throws {
        let (layout, spoke) = (target.layout, target.spoke)
        try layout.addSpoke(spoke, passwd: try MosquittoPasswd())
        print("added \(spoke): password in \(layout.credentialsFile(for: spoke).path)")
        print("if the broker is running: kill -HUP $(cat \(layout.pidFile.path))")
    }
}

struct BrokerRemoveSpokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove-spoke", abstract: "Delete a spoke's broker user and credentials file; other users are left as they are.")

    @OptionGroup var target: SpokeTarget

    func run() async throws {
        let (layout, spoke) = (target.layout, target.spoke)
        try layout.removeSpoke(spoke, passwd: try MosquittoPasswd())
        print("removed \(spoke)")
        print("if the broker is running: kill -HUP $(cat \(layout.pidFile.path)) (disconnects the spoke)")
        print("then clear its retained topics, which may hold Secrets (see docs/operations.md)")
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
