import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

@Suite struct HealthTests {
    let store: SQLiteStore

    init() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sesame-web-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try SQLiteStore(path: folder.appendingPathComponent("sesame.sqlite").path)
    }

    var app: some ApplicationProtocol {
        get async throws {
            try await buildApplication(
                configuration: WebConfiguration(host: "127.0.0.1", port: 0),
                dependencies: try await Harness.dependencies(store: store),
                logger: .init(label: "test"))
        }
    }

    @Test func live() async throws {
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"status\":\"live\""))
            }
        }
    }

    /// Readiness as a JSON object of strings.
    private func readiness(_ client: some TestClientProtocol, headers: HTTPFields = [:]) async throws -> [String: String]? {
        let response = try await client.execute(uri: "/health/ready", method: .get, headers: headers)
        #expect(response.status == .ok)
        return try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: String]
    }

    /// A process on this machine (an operator's curl, a local orchestrator's probe) reads the directory's detail.
    @Test func readyReportsEveryComponentToLoopback() async throws {
        try await app.test(.live) { client in
            let body = try await readiness(client)
            #expect(body == [
                "status": "ready", "store": "ok", "delivery": "development console outbox",
                "directory": "not configured: no directory is configured (SESAME_LDAP_URL)",
            ])
        }
    }

    /// Anyone else, including whoever a reverse proxy on this machine forwards, learns configured or not
    /// configured only: the directory's detail names servers and the library's errors (docs/security.md#readiness).
    @Test func readyKeepsTheDirectorysDetailFromOthers() async throws {
        try await app.test(.live) { client in
            let forwarded = try await readiness(client, headers: [.xForwardedFor: "203.0.113.9"])
            #expect(forwarded?["directory"] == "not configured")
        }
        try await app.test(.router) { client in
            let unknownPeer = try await readiness(client)
            #expect(unknownPeer?["directory"] == "not configured", "a peer that is not known is not loopback")
        }
    }

    @Test func notReadyWhenTheStoreIsUnreachable() async throws {
        try store.close()
        try await app.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("\"store\":\"unreachable\""))
            }
            // Liveness does not depend on the store.
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func unknownPathsAre404() async throws {
        try await app.test(.router) { client in
            try await client.execute(uri: "/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}

/// Readiness on PostgreSQL follows the database: it fails while the server is stopped and recovers by itself.
@Suite struct PostgresReadinessTests {
    @Test func readinessFailsWhileTheDatabaseIsDownAndRecovers() async throws {
        let postgres = try PrivatePostgres.start()
        defer { try? postgres.stop() }
        try await PostgresStore.withStore(url: postgres.url) { store in
            let application = Application(router: try await buildRouter(dependencies: try await Harness.dependencies(store: store)), logger: Logger(label: "test"))
            try await application.test(.router) { client in
                let ready = { try await client.execute(uri: "/health/ready", method: .get).status }
                #expect(try await ready() == .ok)
                try postgres.pause()
                #expect(try await ready() == .serviceUnavailable)
                try postgres.resume()
                var status = try await ready()
                let deadline = ContinuousClock.now + .seconds(20)
                while status != .ok, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(200))
                    status = try await ready()
                }
                #expect(status == .ok, "ready again once PostgreSQL is back")
            }
        }
    }
}

