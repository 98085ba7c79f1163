import FlotillaBrokerSetup
import FlotillaTestSupport
import FlotillaWire
import Foundation
import Testing

/// TLS added later to a broker directory `broker init` wrote without it: the broker, restarted,
/// accepts certificates on the new listener and the existing passwords still work. A directory
/// from before the ACL's allow list has its `pattern` lines converted first, so that the new
/// listener does not let every certificate the CA signs read the topics of its CN.
struct EnableTLSTests {
    @Test func tlsIsAddedToAnExistingBrokerAndTheCredentialsStay() async throws {
        let h = try FleetHarness(securedSpokes: ["store-e"])
        let layout = try #require(h.brokerLayout)
        let password = try layout.password(for: "store-e")
        let certs = try TestCertificates(at: h.directory.appendingPathComponent("pki"))
        var tlsPort = try FreePort.find()
        while tlsPort == h.broker.port { tlsPort = try FreePort.find() }
        let flags = [
            "--dir", layout.directory.path, "--tls-port", String(tlsPort), "--cafile", certs.caFile.path,
            "--certfile", certs.server.certFile.path, "--keyfile", certs.server.keyFile.path,
        ]
        // The plain listener's port is refused for the TLS one, and nothing changes.
        let before = try String(contentsOf: layout.configFile, encoding: .utf8)
        let clash = try await CommandRun.flotilla(
            ["broker", "enable-tls", "--dir", layout.directory.path, "--tls-port", String(h.broker.port)] + Array(flags.dropFirst(4)))
        #expect(clash.status != 0 && clash.output.contains("port of its own"), "\(clash.output)")
        #expect(try String(contentsOf: layout.configFile, encoding: .utf8) == before)

        // An ACL as `broker init` wrote it before the allow list.
        try RevocationTests.patternACL.write(to: layout.aclFile, atomically: true, encoding: .utf8)
        let run = try await CommandRun.flotilla(["broker", "enable-tls"] + flags)
        #expect(run.status == 0, "\(run.output)")
        #expect(try layout.password(for: "store-e") == password, "credentials unchanged")
        #expect(try !layout.aclUsesPatterns(), "enable-tls converts the ACL to the allow list")
        #expect(try layout.aclSpokes() == ["store-e"])
        // mosquitto opens listeners only at start (SIGHUP re-reads passwords and ACLs, not
        // listeners): restart it, as the command says.
        #expect(run.output.contains("restart the broker"), "\(run.output)")
        h.broker.kill()
        try h.broker.start()
        try FreePort.waitUntilListening(port: tlsPort, timeout: 10)
        let topic = Topics().status("store-e")
        let overTLS = try await TLSTests.mosquitto(
            "mosquitto_pub", port: tlsPort, try certs.arguments(for: "store-e"), ["-q", "1", "-t", topic, "-m", "x"])
        #expect(overTLS.status == 0, "\(overTLS.output)")
        let plain = try await CommandRun.mosquittoPub(port: h.broker.port, credentials: ("store-e", password), ["-q", "1", "-t", topic, "-m", "x"])
        #expect(plain.status == 0, "\(plain.output)")
        // Twice is refused: the directory already has its TLS listener.
        let again = try await CommandRun.flotilla(["broker", "enable-tls"] + flags)
        #expect(again.status != 0 && again.output.contains("already has a TLS listener"), "\(again.output)")
    }
}
