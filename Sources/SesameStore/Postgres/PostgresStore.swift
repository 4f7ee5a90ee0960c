import Foundation
import Logging
import PostgresNIO
import SesameCore
import ServiceLifecycle

/// The shared store for several Sesame instances: PostgreSQL through postgres-nio's connection pool. Every state
/// change the core needs to be atomic is one SQL statement (or one transaction), exactly as on SQLite, so nothing
/// depends on which instance answers. Migrations run one instance at a time (an advisory lock).
///
/// The pool works only while its client runs: as a `Service` in `serve`'s service group (``service(url:logger:)``),
/// or beside the body of ``withStore(url:logger:_:)`` for a command that runs once. The migrations wait until the
/// client runs, and every other query until they are applied (docs/architecture.md#postgresql-client).
public final class PostgresStore: Store, Service {
    let client: PostgresClient
    let logger: Logger
    /// Opens as the client starts running.
    private let started = StartSignal()
    /// Opens once the migrations are applied.
    private let migrated = StartSignal()
    /// How long a call may take before it is abandoned (``access(within:_:)``).
    private let answerLimit: Duration

    private init(url: String, logger: Logger, maximumConnections: Int = 16, answerLimit: Duration = .seconds(10)) throws {
        var configuration = try Self.configuration(url)
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectionIdleTimeout = .seconds(60)
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
        self.answerLimit = answerLimit
    }

    /// Connects to `url` (`postgres://user:pass@host:port/database`, `?sslmode=require` for TLS), migrates, and runs
    /// `body` with the store; the client runs in a child task beside `body` and stops when `body` returns or throws,
    /// so that nothing outlives a command that runs once (or a test).
    public static func withStore<Value>(
        url: String, logger: Logger = Logger(label: "sesame.postgres"), _ body: (PostgresStore) async throws -> Value
    ) async throws -> Value {
        let store = try PostgresStore(url: url, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.runClient() }
            // However `body` ends, the client stops, and the group waits for it before returning.
            defer { group.cancelAll() }
            try await store.migrateOnceRunning()
            return try await body(store)
        }
    }

    /// `count` stores on one database, each with its own client, as `count` instances would have (the benchmark and
    /// the tests that race instances): ``withStore(url:logger:_:)`` nested, all open while `body` runs.
    public static func withStores<Value>(
        _ count: Int, url: String, logger: Logger = Logger(label: "sesame.postgres"), _ body: ([PostgresStore]) async throws -> Value
    ) async throws -> Value {
        guard count > 0 else { return try await body([]) }
        return try await withStore(url: url, logger: logger) { first in
            try await withStores(count - 1, url: url, logger: logger) { others in try await body([first] + others) }
        }
    }

    /// A store whose client runs as a service (``run()``) in `serve`'s service group. Nothing is sent until then.
    /// - Parameters:
    ///   - maximumConnections: the pool's size; the tests, which run hundreds of stores at once on one server, take
    ///     fewer.
    ///   - answerLimit: how long a call may take before it fails as unavailable. The tests, whose hundreds of
    ///     stores share two cores with the Argon2id of every suite, give it longer: there a slow answer is the
    ///     machine's load, not a database that went away.
    public static func service(
        url: String, logger: Logger = Logger(label: "sesame.postgres"), maximumConnections: Int = 16, answerLimit: Duration = .seconds(10)
    ) throws -> PostgresStore {
        try PostgresStore(url: url, logger: logger, maximumConnections: maximumConnections, answerLimit: answerLimit)
    }

    /// Runs the client and applies the migrations, then keeps the client running until the service group shuts down.
    /// A migration that fails ends the service, and with it the group.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.runClient() }
            try await migrateOnceRunning()
        }
    }

    /// Returns once the migrations are applied (or the task is cancelled): what the server waits for before it answers.
    public func waitUntilMigrated() async throws {
        await migrated.wait()
        try Task.checkCancellation()
    }

    private func runClient() async {
        started.open()
        await client.run()
    }

    private func migrateOnceRunning() async throws {
        try await migrate()
        migrated.open()
    }

    static func configuration(_ url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, let user = components.user
        else { throw StoreError.unavailable("SESAME_DATABASE_URL must look like postgres://user:pass@host:port/database") }
        let database = String(components.path.drop { $0 == "/" })
        let tls: PostgresClient.Configuration.TLS = components.queryItems?.first { $0.name == "sslmode" }?.value == "require"
            ? .require(.makeClientConfiguration()) : .disable
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
            password: components.password?.removingPercentEncoding, database: database.isEmpty ? nil : database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    // MARK: Migrations

    /// Applies the migrations this database lacks, holding an advisory lock so that instances starting together
    /// take turns; each migration commits with its record.
    func migrate() async throws {
        try await access(within: Self.migrationLimit, after: started) {
            try await self.client.withConnection { connection in
                try await connection.query("SELECT pg_advisory_lock(\(Self.migrationLock))", logger: self.logger)
                do {
                    try await connection.query("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)", logger: self.logger)
                    let applied = Set(try await connection.rows("SELECT name FROM schema_migrations", logger: self.logger).map { try $0.get("name", as: String.self) })
                    for migration in PostgresSchema.migrations where !applied.contains(migration.name) {
                        try await connection.withTransaction(logger: self.logger) { transaction in
                            for statement in PostgresSchema.statements(of: migration.sql) {
                                try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: self.logger)
                            }
                            try await transaction.query(
                                "INSERT INTO schema_migrations (name, applied_at) VALUES (\(migration.name), \(Date().unixSeconds))", logger: self.logger)
                        }
                    }
                    try await self.deriveMissingColumns(on: connection)
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: self.logger)
                    throw error
                }
                try await connection.query("SELECT pg_advisory_unlock(\(Self.migrationLock))", logger: self.logger)
            }
        }
    }

    /// How long the migrations may take, waiting for the lock of another instance included.
    static let migrationLimit: Duration = .seconds(60)

    /// An arbitrary key that only Sesame's migrations use.
    static let migrationLock: Int64 = 0x5E5A_3E00

    /// The migrations applied to this database, oldest first (what `sesame migrate` reports).
    public func appliedMigrations() async throws -> [String] {
        try await rows("SELECT name FROM schema_migrations ORDER BY name").map { try $0.get("name") }
    }

    public func ping() async throws {
        _ = try await access(within: .seconds(2)) { [client, logger] in try await client.query("SELECT 1", logger: logger).collect().count }
    }

    // MARK: Access with errors mapped to StoreError

    /// Runs `body`, turning the driver's errors into the store's: a unique violation is a conflict, anything
    /// else means the database cannot be used right now.
    ///
    /// While the database is down the pool would wait for a connection indefinitely; a call that takes longer than
    /// `limit` is abandoned instead, so that pages fail plainly and readiness reports the outage.
    func access<T: Sendable>(within limit: Duration? = nil, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await access(within: limit ?? answerLimit, after: migrated, body)
    }

    /// Runs `body` once `signal` has opened, within `limit`. A call made before it opens (a background task started
    /// with the server) first waits for the client and the migrations as long as they may take: the migrations' own
    /// limit, so that a slow migration on a busy host does not fail the queries queued behind it.
    private func access<T: Sendable>(
        within limit: Duration, after signal: StartSignal, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        do {
            if !signal.isOpen, try await withDeadline(Self.migrationLimit, { await signal.wait() }) == nil {
                throw StoreError.unavailable("the database was not ready within \(Self.migrationLimit)")
            }
            guard let value = try await withDeadline(limit, body) else {
                throw StoreError.unavailable("the database did not answer within \(limit)")
            }
            return value
        } catch {
            throw Self.storeError(error)
        }
    }

    static func storeError(_ error: any Error) -> StoreError {
        switch error {
        case let error as StoreError:
            error
        case let error as PostgresTransactionError:
            // What went wrong inside the transaction, rather than the transaction's wrapper.
            storeError(error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError ?? StoreError.unavailable("transaction"))
        case let error as PSQLError where error.serverInfo?[.sqlState] == "23505":
            .conflict(error.serverInfo?[.message] ?? "unique constraint")
        case let error as PSQLError:
            .unavailable(error.serverInfo?[.message] ?? "\(error.code)")
        default:
            .unavailable(String(describing: error))
        }
    }

    /// The rows of `query`, read by column name.
    func rows(_ query: PostgresQuery) async throws -> [Columns] {
        try await access { [client, logger] in
            try await client.query(query, logger: logger).collect().map { Columns(row: $0.makeRandomAccess()) }
        }
    }

    /// Runs `body` in one transaction.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await access { [client, logger] in
            try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }
}

/// One result row, read by column name.
struct Columns: @unchecked Sendable {
    let row: PostgresRandomAccessRow

    func get<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try row[name].decode(T.self)
    }

    func date(_ name: String) throws -> Date? {
        try get(name, as: Double?.self).map(Date.init(unixSeconds:))
    }

    /// A column the schema declares NOT NULL: a row without it is damaged, reported as such instead of trapping.
    func requiredDate(_ name: String) throws -> Date {
        guard let date = try date(name) else { throw StoreError.unavailable("\(name) is empty in a row that needs it") }
        return date
    }

    func value<Value: RawRepresentable>(_ type: Value.Type, _ name: String) throws -> Value where Value.RawValue == String {
        let text = try get(name, as: String.self)
        guard let value = Value(rawValue: text) else { throw StoreError.unavailable("\(name) holds \(text), not a \(Value.self)") }
        return value
    }

    func uuid(_ name: String) throws -> UUID {
        let text = try get(name, as: String.self)
        guard let id = UUID(uuidString: text) else { throw StoreError.unavailable("\(name) holds \(text), not a UUID") }
        return id
    }
}

extension PostgresConnection {
    /// The rows of `query` on this connection (inside a transaction), read by column name.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [Columns] {
        try await self.query(query, logger: logger).collect().map { Columns(row: $0.makeRandomAccess()) }
    }
}
