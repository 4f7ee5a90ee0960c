import Foundation
import SesameCore
import SesameStore
import SesameTestSupport

/// The stores the contract suite runs against; PostgreSQL is the cluster `scripts/test` starts.
enum StoreAdapter: String, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres
    /// The core's test double (`InMemoryStore`): it stands in for a database, so it must pass the same contract.
    case memory

    var description: String { rawValue }

    /// Runs `body` with a fresh, empty, migrated store of this kind; a PostgreSQL store's client runs as long as `body`.
    func withStore<Value>(_ body: (any Store) async throws -> Value) async throws -> Value {
        switch self {
        case .sqlite: try await body(SQLiteStore.temporary())
        case .postgres: try await PostgresStore.withStore(url: PostgresTestServer.freshDatabase()) { try await body($0) }
        case .memory: try await body(InMemoryStore())
        }
    }
}

extension SQLiteStore {
    /// A fresh, empty, migrated SQLite store in a folder of its own.
    static func temporary() throws -> SQLiteStore {
        try SQLiteStore(path: TemporaryFolder.make().appendingPathComponent("sesame.sqlite").path)
    }
}

enum TemporaryFolder {
    static func make() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sesame-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
