import Foundation
import PostgresNIO
import SesameCore

// MARK: LockoutStore

extension PostgresStore {
    public func updateLockout(_ lockout: SignInLockout, ofUser id: UUID) async throws {
        _ = try await rows("""
            UPDATE users SET lockout_failures = \(lockout.failures), locked_until = \(lockout.lockedUntil?.unixSeconds),
                lockout_recent = \(lockout.recentWrongPasswords.joined(separator: ",")), lockout_last_failure = \(lockout.lastFailureAt?.unixSeconds),
                lockout_streak = \(lockout.streak)
            WHERE id = \(id.uuidString)
            """)
    }

    public func lockout(subject: String, now: Date) async throws -> SignInLockout? {
        try await rows("SELECT * FROM sign_in_lockouts WHERE subject = \(subject) AND expires_at > \(now.unixSeconds)").first.map { row in
            SignInLockout(
                failures: try row.get("failures", as: Int32.self).asInt, lockedUntil: try row.date("locked_until"),
                recentWrongPasswords: try row.get("recent", as: String.self).split(separator: ",").map(String.init),
                lastFailureAt: try row.date("last_failure"), streak: try row.get("streak", as: Int32.self).asInt)
        }
    }

    public func saveLockout(_ lockout: SignInLockout, subject: String, expiresAt: Date) async throws {
        _ = try await rows("""
            INSERT INTO sign_in_lockouts (subject, failures, locked_until, recent, last_failure, streak, expires_at)
            VALUES (\(subject), \(lockout.failures), \(lockout.lockedUntil?.unixSeconds), \(lockout.recentWrongPasswords.joined(separator: ",")),
                \(lockout.lastFailureAt?.unixSeconds), \(lockout.streak), \(expiresAt.unixSeconds))
            ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until,
                recent = excluded.recent, last_failure = excluded.last_failure, streak = excluded.streak, expires_at = excluded.expires_at
            """)
    }

    public func deleteLockouts(expiredBefore date: Date) async throws -> Int {
        let rows = try await rows("""
            WITH gone AS (DELETE FROM sign_in_lockouts WHERE expires_at < \(date.unixSeconds) RETURNING 1) SELECT count(*) AS deleted FROM gone
            """)
        return try rows.first?.get("deleted", as: Int.self) ?? 0
    }
}
