import ArgumentParser
import FlotillaBrokerSetup
import Foundation

/// `flotilla broker enable-tls`: TLS added to a directory `broker init` wrote without it.
struct BrokerEnableTLSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable-tls",
        abstract: "Add a TLS listener that requires client certificates to an existing broker directory; credentials stay as they are.")

    @Option(help: "Directory written by `flotilla broker init`.")
    var dir: String

    @Option(help: "TLS listener port (CN = spoke name, or hub).")
    var tlsPort: Int

    @Option(help: "TLS listener address.")
    var tlsBind: String = "127.0.0.1"

    @Option(help: "CA file that signs client certificates.")
    var cafile: String

    @Option(help: "The broker's certificate file.")
    var certfile: String

    @Option(help: "The broker's private key file.")
    var keyfile: String

    @Option(help: "A certificate revocation list from the same CA (crlfile); revoked certificates fail the handshake.")
    var crlfile: String?

    func run() async throws {
        let layout = BrokerLayout(directory: URL(fileURLWithPath: dir))
        do {
            try layout.enableTLS(
                TLSListener(port: tlsPort, bindAddress: tlsBind, caFile: cafile, certFile: certfile, keyFile: keyfile, crlFile: crlfile))
        } catch {
            throw RuntimeFailure("\(error)")
        }
        print("added a TLS listener on \(tlsBind):\(tlsPort) to \(layout.configFile.path); passwords and credentials are unchanged")
        // SIGHUP does not open listeners: mosquitto reads them only at start.
        print("restart the broker to open the listener (a reload does not): systemctl restart mosquitto")
    }
}
