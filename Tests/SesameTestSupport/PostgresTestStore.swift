import SesameCore
import SesameStore

/// A migrated PostgreSQL store on a fresh database, for a test whose store must outlive any one closure — a web
/// suite's `Harness`, made in the suite's initialiser — where `PostgresStore.withStore` cannot reach. The store runs
/// as under `serve` (`PostgresStore.run()`), in a task that ends when this value goes, with the suite.
public final class PostgresTestStore: Sendable {
    public let store: PostgresStore
    private let client: Task<Void, any Error>

    public init() async throws {
        // The web suites run about 200 harnesses at once on one test server: 16 connections each ran it out of its
        // 300 ("too many clients"), failing tests at random.
        // A CI run once had a query of `fewCodesLeftAreTold` wait past the 10 s a server gives one, with the PostgreSQL
        // pass sharing its two cores with the release build: a minute, so that only a database that is gone fails.
        let store = try PostgresStore.service(
            url: try await PostgresTestServer.freshDatabase(), maximumConnections: 4, answerLimit: .seconds(60))
        self.store = store
        client = Task { try await store.run() }
        // Many suites start at once: the migrations get the minute `run()` gives them, not a query's 10 s.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.waitUntilMigrated() }
            group.addTask {
                try await Task.sleep(for: .seconds(90))
                throw StoreError.unavailable("the test database was not migrated within 90 s")
            }
            try await group.next()
            group.cancelAll()
        }
    }

    deinit { client.cancel() }
}
