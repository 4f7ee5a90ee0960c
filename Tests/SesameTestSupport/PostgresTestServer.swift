import Foundation
import Logging
import PostgresNIO

/// The throwaway PostgreSQL cluster that `scripts/test` starts (`scripts/postgres`), named by
/// `SESAME_TEST_POSTGRES_URL`; each test gets a database of its own.
public enum PostgresTestServer {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String { "SESAME_TEST_POSTGRES_URL is not set: run the tests with scripts/test, which starts PostgreSQL" }
    }

    /// The server's URL (its `postgres` database).
    public static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["SESAME_TEST_POSTGRES_URL"] else { throw Missing() }
        return url
    }

    /// Creates an empty database and returns its URL.
    public static func freshDatabase() async throws -> String {
        let server = try url()
        let name = "sesame_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var components = URLComponents(string: server)!
        let configuration = PostgresClient.Configuration(
            host: components.host!, port: components.port ?? 5432, username: components.user!, password: components.password,
            database: String(components.path.dropFirst()), tls: .disable)
        let client = PostgresClient(configuration: configuration, backgroundLogger: Logger(label: "test.postgres"))
        let running = Task { await client.run() }
        defer { running.cancel() }
        try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        components.path = "/" + name
        return components.string!
    }
}
