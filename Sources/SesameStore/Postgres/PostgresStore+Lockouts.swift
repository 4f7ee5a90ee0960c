import Foundation
import PostgresNIO
import SesameCore

// MARK: LockoutStore

extension PostgresStore {
    public func updateLockout(_ lockout: SignInLockout, ofUser id: UUID) async throws {
        _ = try await rows("""
            UPDATE users SET lockout_failures = \(lockout.failures), locked_until = \(lockout.lockedUntil?.unixSeconds),
                lockout_recent = \(lockout.recentWrongPasswords.joined(separator: ",")), lockout_last_failure = \(lockout.lastFailureAt?.unixSeconds)
            WHERE id = \(id.text)
            """)
    }

    public func claimPasswordCheck(ofUser id: UUID, limit: DirectoryBindLimit, now: Date) async throws -> Bool {
        let quiet = now.addingTimeInterval(-limit.window).unixSeconds
        return try await !rows("""
            UPDATE users SET
                lockout_streak = CASE WHEN lockout_streak_at IS NULL OR lockout_streak_at <= \(quiet) THEN 1 ELSE lockout_streak + 1 END,
                lockout_streak_at = \(now.unixSeconds)
            WHERE id = \(id.text)
                AND (lockout_streak < \(limit.failures) OR lockout_streak_at IS NULL OR lockout_streak_at <= \(quiet))
            RETURNING id
            """).isEmpty
    }

    public func clearLockout(ofUser id: UUID) async throws {
        _ = try await rows("""
            UPDATE users SET lockout_failures = 0, locked_until = NULL, lockout_recent = '', lockout_last_failure = NULL, lockout_streak = 0,
                lockout_streak_at = NULL
            WHERE id = \(id.text)
            """)
    }

    public func lockout(subject: String, now: Date) async throws -> SignInLockout? {
        try await rows("SELECT * FROM sign_in_lockouts WHERE subject = \(subject) AND expires_at > \(now.unixSeconds)").first.map { row in
            SignInLockout(
                failures: try row.get("failures", as: Int32.self).asInt, lockedUntil: try row.date("locked_until"),
                recentWrongPasswords: try row.get("recent", as: String.self).split(separator: ",").map(String.init),
                lastFailureAt: try row.date("last_failure"), streak: try row.get("streak", as: Int32.self).asInt, streakAt: try row.date("streak_at"))
        }
    }

    public func saveLockout(_ lockout: SignInLockout, subject: String, expiresAt: Date) async throws {
        _ = try await rows("""
            INSERT INTO sign_in_lockouts (subject, failures, locked_until, recent, last_failure, streak, streak_at, expires_at)
            VALUES (\(subject), \(lockout.failures), \(lockout.lockedUntil?.unixSeconds), \(lockout.recentWrongPasswords.joined(separator: ",")),
                \(lockout.lastFailureAt?.unixSeconds), \(lockout.streak), \(lockout.streakAt?.unixSeconds), \(expiresAt.unixSeconds))
            ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until,
                recent = excluded.recent, last_failure = excluded.last_failure, streak = excluded.streak, streak_at = excluded.streak_at,
                expires_at = excluded.expires_at
            """)
    }

    public func deleteLockouts(expiredBefore date: Date) async throws -> Int {
        let rows = try await rows("""
            WITH gone AS (DELETE FROM sign_in_lockouts WHERE expires_at < \(date.unixSeconds) RETURNING 1) SELECT count(*) AS deleted FROM gone
            """)
        return try rows.first?.get("deleted", as: Int.self) ?? 0
    }
}
