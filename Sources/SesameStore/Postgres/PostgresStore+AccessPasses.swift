import Foundation
import PostgresNIO
import SesameCore

// MARK: AccessPassStore

extension PostgresStore {
    public func saveAccessPass(_ pass: TemporaryAccessPass) async throws {
        _ = try await rows("""
            INSERT INTO access_passes (user_id, id, pass_hash, issued_by, issued_at, expires_at, single_use, covers_roles, used_at)
            VALUES (\(pass.userID.text), \(pass.id.text), \(pass.hash), \(pass.issuedBy), \(pass.issuedAt.unixSeconds),
                \(pass.expiresAt.unixSeconds), \(pass.singleUse), \(pass.coversRoles), \(pass.usedAt?.unixSeconds))
            ON CONFLICT (user_id) DO UPDATE SET id = excluded.id, pass_hash = excluded.pass_hash, issued_by = excluded.issued_by,
                issued_at = excluded.issued_at, expires_at = excluded.expires_at, single_use = excluded.single_use,
                covers_roles = excluded.covers_roles, used_at = excluded.used_at
            """)
    }

    public func accessPass(ofUser id: UUID) async throws -> TemporaryAccessPass? {
        try await rows("SELECT * FROM access_passes WHERE user_id = \(id.text)").first.map { row in
            TemporaryAccessPass(
                id: try row.uuid("id"), userID: id, hash: try row.get("pass_hash", as: String.self), issuedBy: try row.get("issued_by", as: String.self),
                issuedAt: try row.requiredDate("issued_at"), expiresAt: try row.requiredDate("expires_at"),
                singleUse: try row.get("single_use", as: Bool.self), coversRoles: try row.get("covers_roles", as: Bool.self),
                usedAt: try row.date("used_at"))
        }
    }

    public func useAccessPass(_ passID: UUID, now: Date) async throws -> Bool {
        try await !rows("""
            UPDATE access_passes SET used_at = \(now.unixSeconds)
            WHERE id = \(passID.text) AND expires_at > \(now.unixSeconds) AND (NOT single_use OR used_at IS NULL)
            RETURNING id
            """).isEmpty
    }

    public func deleteAccessPass(ofUser id: UUID) async throws {
        _ = try await rows("DELETE FROM access_passes WHERE user_id = \(id.text)")
    }

    public func deleteAccessPasses(expiredBefore date: Date) async throws -> Int {
        try await rows("DELETE FROM access_passes WHERE expires_at < \(date.unixSeconds) RETURNING user_id").count
    }
}
