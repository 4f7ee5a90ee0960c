import Foundation
import PostgresNIO
import SesameCore

// MARK: PolicyStore, SessionStore, TokenStore

extension PostgresStore {
    public func policy() async throws -> VersionedPolicy? {
        guard let row = try await rows("SELECT version, body FROM policy WHERE id = 1").first else { return nil }
        let body = try row.get("body", as: String.self)
        return VersionedPolicy(policy: try JSONDecoder().decode(Policy.self, from: Data(body.utf8)), version: try row.get("version", as: Int32.self).asInt)
    }

    public func savePolicy(_ policy: Policy, expectedVersion: Int) async throws -> Int {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = String(decoding: try encoder.encode(policy), as: UTF8.self)
        let saved = expectedVersion == 0
            ? try await rows("INSERT INTO policy (id, version, body) VALUES (1, 1, \(body)) ON CONFLICT (id) DO NOTHING RETURNING id")
            : try await rows("UPDATE policy SET version = version + 1, body = \(body) WHERE id = 1 AND version = \(expectedVersion) RETURNING id")
        guard saved.count == 1 else { throw StoreError.conflict("the policy") }
        return expectedVersion + 1
    }

    public func logo() async throws -> Logo? {
        guard let row = try await rows("SELECT type, data FROM branding WHERE id = 1").first else { return nil }
        return Logo(data: try row.get("data", as: Data.self), type: try row.get("type", as: String.self))
    }

    public func saveLogo(_ logo: Logo?) async throws {
        if let logo {
            _ = try await rows(
                "INSERT INTO branding (id, type, data) VALUES (1, \(logo.type), \(logo.data)) ON CONFLICT (id) DO UPDATE SET type = excluded.type, data = excluded.data")
        } else {
            _ = try await rows("DELETE FROM branding")
        }
    }

    public func saveSession(key: String, data: Data, userID: UUID?, expiresAt: Date) async throws {
        _ = try await rows("""
            INSERT INTO sessions (key, data, user_id, expires_at, public_id)
            VALUES (\(key), \(data), \(userID?.text), \(expiresAt.unixSeconds), \(SessionPublicID.of(key: key)))
            ON CONFLICT (key) DO UPDATE
            SET data = excluded.data, user_id = excluded.user_id, expires_at = excluded.expires_at, version = sessions.version + 1
            """)
    }

    public func updateSession(key: String, data: Data, userID: UUID?, expiresAt: Date, version: Int64) async throws -> SessionUpdate {
        // One statement: the update at `version`, and whether the session is there at all.
        let row = try await rows("""
            WITH updated AS (
                UPDATE sessions SET data = \(data), user_id = \(userID?.text), expires_at = \(expiresAt.unixSeconds), version = version + 1
                WHERE key = \(key) AND version = \(version) RETURNING key
            )
            SELECT EXISTS (SELECT 1 FROM updated) AS saved, EXISTS (SELECT 1 FROM sessions WHERE key = \(key)) AS present
            """).first
        if try row?.get("saved", as: Bool.self) == true { return .saved }
        return try row?.get("present", as: Bool.self) == true ? .changed : .ended
    }

    public func deleteSessions(userID: UUID, keeping key: String?) async throws -> Int {
        try await rows("DELETE FROM sessions WHERE user_id = \(userID.text) AND key IS DISTINCT FROM \(key) RETURNING key").count
    }

    public func session(key: String, now: Date) async throws -> StoredSession? {
        guard let row = try await rows("SELECT data, version FROM sessions WHERE key = \(key) AND expires_at > \(now.unixSeconds)").first else {
            return nil
        }
        return StoredSession(data: try row.get("data", as: Data.self), version: try row.get("version", as: Int64.self))
    }

    public func deleteSession(key: String) async throws {
        _ = try await rows("DELETE FROM sessions WHERE key = \(key)")
    }

    public func deleteSessions(expiredBefore date: Date) async throws -> Int {
        try await rows("DELETE FROM sessions WHERE expires_at < \(date.unixSeconds) RETURNING key").count
    }

    public func sessions(userID: UUID, now: Date) async throws -> [ListedSession] {
        try await rows("""
            SELECT public_id, data FROM sessions
            WHERE user_id = \(userID.text) AND expires_at > \(now.unixSeconds) AND public_id IS NOT NULL ORDER BY public_id
            """).map { ListedSession(publicID: try $0.get("public_id", as: String.self), data: try $0.get("data", as: Data.self)) }
    }

    public func deleteSession(publicID: String, userID: UUID) async throws -> Bool {
        try await !rows("DELETE FROM sessions WHERE public_id = \(publicID) AND user_id = \(userID.text) RETURNING key").isEmpty
    }

    public func insertToken(_ token: APIToken) async throws {
        _ = try await rows("""
            INSERT INTO api_tokens (id, name, digest, created_at, last_used_at, revoked_at, scope, expires_at)
            VALUES (\(token.id.text), \(token.name), \(token.digest), \(token.createdAt.unixSeconds), \(token.lastUsedAt?.unixSeconds),
                    \(token.revokedAt?.unixSeconds), \(token.scope.rawValue), \(token.expiresAt?.unixSeconds))
            """)
    }

    public func token(digest: String) async throws -> APIToken? {
        try await rows("SELECT * FROM api_tokens WHERE digest = \(digest)").first.map(Self.token)
    }

    public func tokens() async throws -> [APIToken] {
        try await rows("SELECT * FROM api_tokens ORDER BY created_at").map(Self.token)
    }

    public func revokeToken(id: UUID, at date: Date) async throws {
        _ = try await rows("UPDATE api_tokens SET revoked_at = \(date.unixSeconds) WHERE id = \(id.text) AND revoked_at IS NULL")
    }

    public func touchToken(id: UUID, at date: Date) async throws {
        _ = try await rows("UPDATE api_tokens SET last_used_at = \(date.unixSeconds) WHERE id = \(id.text)")
    }

    static func token(from row: Columns) throws -> APIToken {
        APIToken(id: try row.uuid("id"), name: try row.get("name"), digest: try row.get("digest"), createdAt: try row.requiredDate("created_at"),
                 lastUsedAt: try row.date("last_used_at"), revokedAt: try row.date("revoked_at"), scope: try row.value(TokenScope.self, "scope"),
                 expiresAt: try row.date("expires_at"))
    }
}
