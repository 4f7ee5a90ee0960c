import Foundation
import GRDB
import SesameCore

// MARK: SessionStore

extension SQLiteStore {
    public func saveSession(key: String, data: Data, userID: UUID?, expiresAt: Date) async throws {
        try await write { db in
            try db.execute(cached: """
                INSERT INTO sessions (key, data, user_id, expires_at, public_id) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE
                SET data = excluded.data, user_id = excluded.user_id, expires_at = excluded.expires_at, version = version + 1
                """, arguments: [key, data, userID?.text, expiresAt.unixSeconds, SessionPublicID.of(key: key)])
        }
    }

    public func updateSession(key: String, data: Data, userID: UUID?, expiresAt: Date, version: Int64) async throws -> SessionUpdate {
        try await write { db in
            try db.execute(
                cached: "UPDATE sessions SET data = ?, user_id = ?, expires_at = ?, version = version + 1 WHERE key = ? AND version = ?",
                arguments: [data, userID?.text, expiresAt.unixSeconds, key, version])
            if db.changesCount > 0 { return .saved }
            return try Bool.fetchOne(db, cached: "SELECT 1 FROM sessions WHERE key = ?", arguments: [key]) == nil ? .ended : .changed
        }
    }

    public func session(key: String, now: Date) async throws -> StoredSession? {
        try lookUp { db in
            try Row.fetchOne(db, cached: "SELECT data, version FROM sessions WHERE key = ? AND expires_at > ?", arguments: [key, now.unixSeconds])
                .map { StoredSession(data: $0["data"], version: $0["version"]) }
        }
    }

    public func deleteSession(key: String) async throws {
        try await write { db in try db.execute(cached: "DELETE FROM sessions WHERE key = ?", arguments: [key]) }
    }

    public func deleteSessions(userID: UUID, keeping key: String?) async throws -> Int {
        try await write { db in
            try db.execute(
                cached: "DELETE FROM sessions WHERE user_id = ? AND key IS NOT ?", arguments: [userID.text, key])
            return db.changesCount
        }
    }

    public func deleteSessions(expiredBefore date: Date) async throws -> Int {
        try await write { db in
            try db.execute(cached: "DELETE FROM sessions WHERE expires_at < ?", arguments: [date.unixSeconds])
            return db.changesCount
        }
    }

    public func sessions(userID: UUID, now: Date) async throws -> [ListedSession] {
        try await read { db in
            try Row.fetchAll(
                db, cached: "SELECT public_id, data FROM sessions WHERE user_id = ? AND expires_at > ? AND public_id IS NOT NULL ORDER BY public_id",
                arguments: [userID.text, now.unixSeconds]
            ).map { ListedSession(publicID: $0["public_id"], data: $0["data"]) }
        }
    }

    public func deleteSession(publicID: String, userID: UUID) async throws -> Bool {
        try await write { db in
            try db.execute(cached: "DELETE FROM sessions WHERE public_id = ? AND user_id = ?", arguments: [publicID, userID.text])
            return db.changesCount > 0
        }
    }
}
