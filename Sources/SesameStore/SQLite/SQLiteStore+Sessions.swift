import Foundation
import GRDB
import SesameCore

// MARK: SessionStore

extension SQLiteStore {
    public func saveSession(key: String, data: Data, userID: UUID?, expiresAt: Date) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO sessions (key, data, user_id, expires_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET data = excluded.data, user_id = excluded.user_id, expires_at = excluded.expires_at
                """, arguments: [key, data, userID?.uuidString, expiresAt.unixSeconds])
        }
    }

    public func updateSession(key: String, data: Data, userID: UUID?, expiresAt: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE sessions SET data = ?, user_id = ?, expires_at = ? WHERE key = ?",
                arguments: [data, userID?.uuidString, expiresAt.unixSeconds, key])
            return db.changesCount > 0
        }
    }

    public func session(key: String, now: Date) async throws -> Data? {
        try await read { db in
            try Data.fetchOne(db, sql: "SELECT data FROM sessions WHERE key = ? AND expires_at > ?", arguments: [key, now.unixSeconds])
        }
    }

    public func deleteSession(key: String) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM sessions WHERE key = ?", arguments: [key]) }
    }

    public func deleteSessions(userID: UUID, keeping key: String?) async throws -> Int {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM sessions WHERE user_id = ? AND key IS NOT ?", arguments: [userID.uuidString, key])
            return db.changesCount
        }
    }

    public func deleteSessions(expiredBefore date: Date) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE expires_at < ?", arguments: [date.unixSeconds])
            return db.changesCount
        }
    }
}
