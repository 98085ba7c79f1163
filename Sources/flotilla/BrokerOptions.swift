import ArgumentParser
import FlotillaMQTT
import Foundation

/// Broker connection flags shared by `hub run` and `agent run`.
struct BrokerOptions: ParsableArguments {
    @Option(help: "Broker URL: mqtt://HOST:PORT, or mqtts://HOST:PORT with --cafile.")
    var broker: String

    @Option(help: "Broker username (an agent's must equal its spoke name).")
    var username: String?

    @Option(help: "File holding the broker password (first line).")
    var passwordFile: String?

    @Option(help: "CA certificate file for TLS.")
    var cafile: String?

    @Option(help: "Client certificate file for TLS.")
    var cert: String?

    @Option(help: "Client private key file for TLS.")
    var key: String?

    @Option(help: "MQTT keepalive in seconds.")
    var keepalive: Int32 = 30

    func validate() throws {
        let ep = try endpoint()
        if ep.tls && cafile == nil { throw ValidationError("mqtts:// needs --cafile") }
        // Certificates given for a plain connection would be ignored, and the connection unencrypted.
        if !ep.tls && (cafile != nil || cert != nil || key != nil) {
            throw ValidationError("--cafile, --cert and --key need an mqtts:// --broker")
        }
        guard (5...65535).contains(keepalive) else {
            throw ValidationError("--keepalive must be 5…65535 seconds (libmosquitto refuses less than 5)")
        }
        if (cert == nil) != (key == nil) { throw ValidationError("--cert and --key go together") }
    }

    func endpoint() throws -> (host: String, port: Int32, tls: Bool) {
        guard let url = URL(string: broker), let scheme = url.scheme, let host = url.host, !host.isEmpty else {
            throw ValidationError("--broker must look like mqtt://HOST:PORT, got \"\(broker)\"")
        }
        switch scheme {
        case "mqtt": return (host, Int32(url.port ?? 1883), false)
        case "mqtts": return (host, Int32(url.port ?? 8883), true)
        default: throw ValidationError("--broker scheme must be mqtt or mqtts, got \"\(scheme)\"")
        }
    }

    /// The client configuration these flags describe.
    func configuration(clientID: String) throws -> MQTTConfiguration {
        let ep = try endpoint()
        var password: String?
        if let passwordFile {
            do {
                password = try String(contentsOfFile: passwordFile, encoding: .utf8)
                    .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            } catch {
                throw RuntimeFailure("cannot read --password-file \(passwordFile): \(error.localizedDescription)")
            }
        }
        var tls: MQTTConfiguration.TLS?
        if ep.tls {
            guard let cafile else { throw ValidationError("mqtts:// needs --cafile") }
            tls = MQTTConfiguration.TLS(caFile: cafile, certFile: cert, keyFile: key)
        }
        return MQTTConfiguration(
            host: ep.host, port: ep.port, clientID: clientID, username: username, password: password,
            keepalive: keepalive, tls: tls)
    }
}
