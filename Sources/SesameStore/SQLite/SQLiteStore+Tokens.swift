import Foundation
import GRDB
import SesameCore

// MARK: TokenStore

extension SQLiteStore {
    public func insertToken(_ token: APIToken) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO api_tokens (id, name, digest, created_at, last_used_at, revoked_at, scope, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [token.id.text, token.name, token.digest, token.createdAt.unixSeconds,
                                 token.lastUsedAt?.unixSeconds, token.revokedAt?.unixSeconds, token.scope.rawValue, token.expiresAt?.unixSeconds])
        }
    }

    public func token(digest: String) async throws -> APIToken? {
        try lookUp { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_tokens WHERE digest = ?", arguments: [digest]).map(Self.token)
        }
    }

    public func tokens() async throws -> [APIToken] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_tokens ORDER BY created_at").map(Self.token) }
    }

    public func revokeToken(id: UUID, at date: Date) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", arguments: [date.unixSeconds, id.text])
        }
    }

    public func touchToken(id: UUID, at date: Date) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", arguments: [date.unixSeconds, id.text])
        }
    }

    static func token(from row: Row) throws -> APIToken {
        APIToken(id: try row.uuid("id"), name: row["name"], digest: row["digest"], createdAt: try row.requiredDate("created_at"),
                 lastUsedAt: row.date("last_used_at"), revokedAt: row.date("revoked_at"), scope: try row.value(TokenScope.self, "scope"),
                 expiresAt: row.date("expires_at"))
    }
}
