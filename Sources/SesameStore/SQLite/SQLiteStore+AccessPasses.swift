import Foundation
import GRDB
import SesameCore

// MARK: AccessPassStore

extension SQLiteStore {
    public func saveAccessPass(_ pass: TemporaryAccessPass) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO access_passes (user_id, id, pass_hash, issued_by, issued_at, expires_at, single_use, covers_roles, used_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET id = excluded.id, pass_hash = excluded.pass_hash, issued_by = excluded.issued_by,
                    issued_at = excluded.issued_at, expires_at = excluded.expires_at, single_use = excluded.single_use,
                    covers_roles = excluded.covers_roles, used_at = excluded.used_at
                """, arguments: [
                    pass.userID.text, pass.id.text, pass.hash, pass.issuedBy, pass.issuedAt.unixSeconds, pass.expiresAt.unixSeconds,
                    pass.singleUse, pass.coversRoles, pass.usedAt?.unixSeconds,
                ])
        }
    }

    public func accessPass(ofUser id: UUID) async throws -> TemporaryAccessPass? {
        try lookUp { db in
            try Row.fetchOne(db, sql: "SELECT * FROM access_passes WHERE user_id = ?", arguments: [id.text]).map { row in
                TemporaryAccessPass(
                    id: try row.uuid("id"), userID: id, hash: row["pass_hash"], issuedBy: row["issued_by"], issuedAt: try row.requiredDate("issued_at"),
                    expiresAt: try row.requiredDate("expires_at"), singleUse: row["single_use"], coversRoles: row["covers_roles"],
                    usedAt: row.date("used_at"))
            }
        }
    }

    public func useAccessPass(_ passID: UUID, now: Date) async throws -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE access_passes SET used_at = ? WHERE id = ? AND expires_at > ? AND (single_use = 0 OR used_at IS NULL)
                """, arguments: [now.unixSeconds, passID.text, now.unixSeconds])
            return db.changesCount == 1
        }
    }

    public func deleteAccessPass(ofUser id: UUID) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM access_passes WHERE user_id = ?", arguments: [id.text]) }
    }

    public func deleteAccessPasses(expiredBefore date: Date) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM access_passes WHERE expires_at < ?", arguments: [date.unixSeconds])
            return db.changesCount
        }
    }
}
