import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
        try await Task.sleep(for: .milliseconds(5))  // so that the pool runs before the first query (a warning otherwise)
        try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        components.path = "/" + name
        return components.string!
    }
}

/// A PostgreSQL cluster of a test's own (`scripts/postgres`), for tests that stop and restart the server.
public struct PrivatePostgres: Sendable {
    public let folder: URL
    public let url: String

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/postgres").path

    public static func start() throws -> PrivatePostgres {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sesame-pg-\(UUID().uuidString)")
        try run("start", folder)
        return PrivatePostgres(folder: folder, url: try String(contentsOf: folder.appendingPathComponent("url"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines))
    }

    public func pause() throws { try Self.run("pause", folder) }
    public func resume() throws { try Self.run("resume", folder) }
    public func stop() throws { try Self.run("stop", folder) }

    /// Runs the script to its end (`ChildProcess`: the server it starts inherits no descriptor and no blocked signal
    /// of the test's).
    static func run(_ command: String, _ folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("script-\(command).log").path
        try? FileManager.default.removeItem(atPath: log)
        let script = try ChildProcess.start("/bin/bash", [script, command, folder.path], output: .file(log), errors: .file(log))
        guard script.wait() == 0 else {
            throw ScriptFailed(description: "scripts/postgres \(command) failed: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
    }

    public struct ScriptFailed: Error, CustomStringConvertible {
        public let description: String
    }
}
