import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// The PostgreSQL client runs as a service in the server's group, and nothing is queried before it runs
/// (docs/architecture.md#postgresql-client).
///
/// These tests use PostgreSQL whatever `SESAME_TEST_STORE` says, so they run in the first pass of `scripts/test` only:
/// the second pass repeats every HTTP test on PostgreSQL at once, and its load on the cluster (dozens of databases
/// created and migrated together) can hold this test's migrations past the 10-second query deadline it measures.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SESAME_TEST_STORE"] != "postgres", "already run in the first pass"))
struct PostgresServiceTests {
    /// What postgres-nio logs when a query comes before its client's `run()`.
    static let earlyQuery = "hasn't been called yet"

    /// As `serve` does it: the store among the application's services, the server answering once it has migrated.
    /// A query asked for before the group even runs waits for the client and the migrations instead of reaching the
    /// pool first.
    @Test func theClientRunsInTheServiceGroupAndNothingQueriesBeforeIt() async throws {
        let capture = LogCapture()
        let store = try PostgresStore.service(url: try await PostgresTestServer.freshDatabase(), logger: capture.logger)
        let application = try await buildApplication(
            configuration: WebConfiguration(host: "127.0.0.1", port: 0), dependencies: try await Harness.dependencies(store: store), logger: Logger(label: "test"),
            services: [store], beforeServerStarts: { try await store.waitUntilMigrated() })
        // Asked just before the group starts, and long enough before to reach the pool.
        let early = Task { try await store.appliedMigrations() }
        try await Task.sleep(for: .milliseconds(100))
        try await application.test(.live) { client in
            #expect(try await client.execute(uri: "/health/ready", method: .get).status == .ok)
            let (applied, now) = (try await early.value, try await store.appliedMigrations())
            #expect(applied.contains("001 initial schema"))
            #expect(applied == now)
        }
        #expect(!capture.text.contains(Self.earlyQuery))
    }

    /// A command that runs once: the store runs its client beside the command's body, whose first query waits for it
    /// (no pause), and the client stops with the body.
    @Test func aScopedStoreQueriesOnlyOnceItsClientRunsAndStopsWithItsBody() async throws {
        let capture = LogCapture()
        let store = try await PostgresStore.withStore(url: try await PostgresTestServer.freshDatabase(), logger: capture.logger) { store in
            let applied = try await store.appliedMigrations()
            #expect(applied.contains("001 initial schema"))
            return store
        }
        #expect(!capture.text.contains(Self.earlyQuery))
        await #expect(throws: StoreError.self, "the client stopped with the body") { _ = try await store.ping() }
    }
}
