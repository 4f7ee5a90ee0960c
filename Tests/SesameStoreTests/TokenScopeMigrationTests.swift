import Foundation
import GRDB
import PostgresNIO
import SesameCore
import SesameTestSupport
import Testing

@testable import SesameStore

/// Migration "006 token scopes" on both stores: a token made before scopes existed keeps doing everything, forever.
@Suite struct TokenScopeMigrationTests {
    static let id = UUID()

    func expectOldTokenIsFull(_ store: any Store) async throws {
        let token = try #require(try await store.token(digest: "old"))
        #expect(token.id == Self.id && token.scope == .full && token.expiresAt == nil && token.name == "before scopes")
    }

    @Test func sqliteTokensFromBeforeAreFull() async throws {
        let path = try TemporaryFolder.make().appendingPathComponent("sesame.sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteSchema.migrator.migrate(queue, upTo: "005 session users")
            try await queue.write { db in
                try db.execute(sql: "INSERT INTO api_tokens (id, name, digest, created_at) VALUES (?, 'before scopes', 'old', ?)",
                               arguments: [Self.id.uuidString, t0.unixSeconds])
            }
            try queue.close()
        }
        let store = try SQLiteStore(path: path)
        #expect(try store.appliedMigrations().contains("006 token scopes"))
        try await expectOldTokenIsFull(store)
    }

    @Test func postgresTokensFromBeforeAreFull() async throws {
        try await PostgresStore.withStore(url: PostgresTestServer.freshDatabase()) { store in
            // Back to the schema 005 left, with a token written then; the next start migrates it.
            _ = try await store.rows("ALTER TABLE api_tokens DROP COLUMN scope")
            _ = try await store.rows("ALTER TABLE api_tokens DROP COLUMN expires_at")
            _ = try await store.rows("DELETE FROM schema_migrations WHERE name = '006 token scopes'")
            _ = try await store.rows("INSERT INTO api_tokens (id, name, digest, created_at) VALUES (\(Self.id.uuidString), 'before scopes', 'old', \(t0.unixSeconds))")
            try await store.migrate()
            try await expectOldTokenIsFull(store)
        }
    }
}
