import Foundation
import Hummingbird
import Logging
import Prometheus

/// The hub's HTTP API: `GET /api/v1/status` (JSON), `GET /metrics` (Prometheus text),
/// `GET /healthz`.
public enum HubHTTPServer {
    /// Builds the HTTP application; run it as a service beside the hub.
    public static func makeApplication(
        hub: Hub, host: String, port: Int, registry: PrometheusCollectorRegistry?, logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/api/v1/status") { _, _ -> Response in
            let snapshot = try await hub.statusSnapshot()
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(snapshot)
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("/metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            registry?.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        router.get("/healthz") { _, _ in "ok\n" }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "flotilla-hub"),
            logger: logger)
    }
}
