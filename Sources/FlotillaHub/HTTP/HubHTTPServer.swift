import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import Logging
import Prometheus

/// The hub's HTTP API: `GET /api/v1/status` (JSON), `GET /metrics` (Prometheus text),
/// `GET /healthz`.
public enum HubHTTPServer {
    /// Bounds on what clients may hold: a request head must arrive in time, idle keep-alive
    /// connections close, and past the connection limit new clients wait in the kernel's
    /// backlog instead of taking file descriptors.
    public struct Limits: Sendable {
        public var requestHeadTimeout: Double = 10
        public var idleTimeout: Double = 60
        public var maxConnections = 256

        public init(requestHeadTimeout: Double = 10, idleTimeout: Double = 60, maxConnections: Int = 256) {
            self.requestHeadTimeout = requestHeadTimeout
            self.idleTimeout = idleTimeout
            self.maxConnections = maxConnections
        }
    }

    /// Builds the HTTP application; run it as a service beside the hub.
    public static func makeApplication(
        hub: Hub, host: String, port: Int, registry: PrometheusCollectorRegistry?, limits: Limits = Limits(), logger: Logger
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
        let headTimeout = TimeAmount.nanoseconds(Int64(limits.requestHeadTimeout * 1e9))
        return Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [RequestHeadTimeoutHandler(timeout: headTimeout)],
                    idleTimeout: .nanoseconds(Int64(limits.idleTimeout * 1e9)))),
            configuration: .init(
                address: .hostname(host, port: port), serverName: "flotilla-hub",
                availableConnectionsDelegate: .maximum(limits.maxConnections, logger: logger)),
            logger: logger)
    }
}
