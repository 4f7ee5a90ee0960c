import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

@testable import SesameWeb

/// `/metrics` (docs/operations.md#metrics): who may read it, and that what it shows is counted by route pattern.
@Suite struct MetricsTests {
    static let token = "metrics-token-0123456789"

    func dependencies(_ prometheus: PrometheusMetrics) async throws -> WebDependencies {
        let store = try SQLiteStore(path: FileManager.default.temporaryDirectory.appendingPathComponent("sesame-metrics-\(UUID().uuidString).sqlite").path)
        return try await Harness.dependencies(store: store, prometheus: prometheus)
    }

    @Test func requestsAreCountedByRoutePatternAndReadWithTheTokenOnly() async throws {
        let prometheus = PrometheusMetrics(token: Self.token, port: nil, version: "test")
        let application = Application(router: try await buildRouter(dependencies: try await dependencies(prometheus)), logger: Logger(label: "test"))
        let stray = "/no-such-page-\(UUID().uuidString)"
        try await application.test(.router) { client in
            #expect(try await client.execute(uri: "/reset", method: .get).status == .ok)
            #expect(try await client.execute(uri: stray, method: .get).status == .notFound)
            _ = try await client.execute(uri: "/reset", method: try #require(HTTPRequest.Method("FROB")))

            let anonymous = try await client.execute(uri: "/metrics", method: .get)
            #expect(anonymous.status == .unauthorized && anonymous.headers[.wwwAuthenticate] == "Bearer realm=\"metrics\"")
            let wrong = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(Self.token)x"])
            #expect(wrong.status == .unauthorized)

            let scraped = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(Self.token)"])
            #expect(scraped.status == .ok && scraped.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: scraped.body)
            #expect(text.contains(#"sesame_build_info{version="test"} 1.0"#))
            #expect(text.contains(#"sesame_http_requests_total{route="/reset",method="GET",status="200"} 1"#))
            #expect(text.contains(#"sesame_http_requests_total{route="NotFound",method="GET",status="404"} 1"#))
            #expect(text.contains(#"method="other""#) && !text.contains("FROB"), "a made-up method adds no series")
            #expect(!text.contains(stray), "the path a client sent is never a label")
            #expect(text.contains(#"sesame_http_request_duration_seconds_bucket{route="/reset",method="GET","#))
            #expect(text.contains("sesame_delivery_queue_depth 0.0"))
        }
    }

    /// Without a token, the main port answers a scraper on this machine only.
    @Test func withoutATokenOnlyThisMachineReadsTheMainPort() async throws {
        let prometheus = PrometheusMetrics(token: nil, port: nil, version: "test")
        let application = Application(router: try await buildRouter(dependencies: try await dependencies(prometheus)), logger: Logger(label: "test"))
        try await application.test(.router) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .notFound, "no peer address: not known to be this machine")
        }
        try await application.test(.live) { client in
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .ok)
            let proxied = try await client.execute(uri: "/metrics", method: .get, headers: [.xForwardedFor: "203.0.113.9"])
            #expect(proxied.status == .notFound, "a local proxy forwarding someone else is not this machine")
        }
    }

    /// `SESAME_METRICS_PORT`: `/metrics` moves to its own port, and the main port no longer has it.
    @Test func aMetricsPortOfItsOwn() async throws {
        let port = try freePort()
        let prometheus = PrometheusMetrics(token: nil, port: port, version: "test")
        let application = try await buildApplication(
            configuration: WebConfiguration(host: "127.0.0.1", port: 0), dependencies: try await dependencies(prometheus), logger: Logger(label: "test"))
        try await application.test(.live) { client in
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .notFound)
            let scraped = Mutex("")
            let url = try #require(URL(string: "http://127.0.0.1:\(port)/metrics"))
            try await eventually {
                guard let (data, response) = try? await URLSession.shared.data(from: url),
                    (response as? HTTPURLResponse)?.statusCode == 200
                else { return false }
                scraped.withLock { $0 = String(decoding: data, as: UTF8.self) }
                return true
            }
            #expect(scraped.withLock { $0 }.contains(#"sesame_build_info{version="test"} 1.0"#))
        }
    }

    /// A port nothing listens on now: bound, read and released.
    private func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
