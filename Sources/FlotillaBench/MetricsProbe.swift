import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Reads counters from the hub's Prometheus endpoint, as a monitoring system would.
struct MetricsProbe: Sendable {
    let url: URL
    let session: URLSession

    init(host: String, port: Int) {
        url = URL(string: "http://\(host):\(port)/metrics")!
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 5
        session = URLSession(configuration: configuration)
    }

    /// Every sample of the page, by metric name (label sets summed).
    func samples() async throws -> [String: Double] {
        let (data, response) = try await session.data(from: url)
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
            throw BenchError("GET \(url) answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        return Self.parse(String(decoding: data, as: UTF8.self))
    }

    /// One counter; 0 when the page does not list it yet.
    func value(_ name: String) async throws -> Double { try await samples()[name] ?? 0 }

    /// Prometheus text format: `name{labels} value` or `name value`; comments skipped.
    static func parse(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            guard parts.count >= 2, let value = Double(parts[1]) else { continue }
            let name = parts[0].split(separator: "{", maxSplits: 1).first.map(String.init) ?? ""
            out[name, default: 0] += value
        }
        return out
    }
}
