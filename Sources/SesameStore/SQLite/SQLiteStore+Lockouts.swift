import Foundation
import GRDB
import SesameCore

// MARK: LockoutStore

extension SQLiteStore {
    public func updateLockout(_ lockout: SignInLockout, ofUser id: UUID) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE users SET lockout_failures = ?, locked_until = ?, lockout_recent = ?, lockout_last_failure = ? WHERE id = ?",
                arguments: [
                    lockout.failures, lockout.lockedUntil?.unixSeconds, lockout.recentWrongPasswords.joined(separator: ","),
                    lockout.lastFailureAt?.unixSeconds, id.text,
                ])
        }
    }

    public func claimPasswordCheck(ofUser id: UUID, limit: DirectoryBindLimit, now: Date) async throws -> Bool {
        try await write { db in
            try db.execute(sql: """
                UPDATE users SET
                    lockout_streak = CASE WHEN lockout_streak_at IS NULL OR lockout_streak_at <= :quiet THEN 1 ELSE lockout_streak + 1 END,
                    lockout_streak_at = :now
                WHERE id = :id AND (lockout_streak < :limit OR lockout_streak_at IS NULL OR lockout_streak_at <= :quiet)
                """, arguments: ["id": id.text, "now": now.unixSeconds, "quiet": now.addingTimeInterval(-limit.window).unixSeconds, "limit": limit.failures])
            return db.changesCount == 1
        }
    }

    public func clearLockout(ofUser id: UUID) async throws {
        try await write { db in
            try db.execute(sql: """
                UPDATE users SET lockout_failures = 0, locked_until = NULL, lockout_recent = '', lockout_last_failure = NULL,
                    lockout_streak = 0, lockout_streak_at = NULL
                WHERE id = ?
                """, arguments: [id.text])
        }
    }

    public func lockout(subject: String, now: Date) async throws -> SignInLockout? {
        try lookUp { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sign_in_lockouts WHERE subject = ? AND expires_at > ?", arguments: [subject, now.unixSeconds])
                .map { row in
                    let recent: String = row["recent"]
                    return SignInLockout(
                        failures: row["failures"], lockedUntil: row.date("locked_until"), recentWrongPasswords: recent.split(separator: ",").map(String.init),
                        lastFailureAt: row.date("last_failure"), streak: row["streak"], streakAt: row.date("streak_at"))
                }
        }
    }

    public func saveLockout(_ lockout: SignInLockout, subject: String, expiresAt: Date) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO sign_in_lockouts (subject, failures, locked_until, recent, last_failure, streak, streak_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until,
                    recent = excluded.recent, last_failure = excluded.last_failure, streak = excluded.streak, streak_at = excluded.streak_at,
                    expires_at = excluded.expires_at
                """, arguments: [
                    subject, lockout.failures, lockout.lockedUntil?.unixSeconds, lockout.recentWrongPasswords.joined(separator: ","),
                    lockout.lastFailureAt?.unixSeconds, lockout.streak, lockout.streakAt?.unixSeconds, expiresAt.unixSeconds,
                ])
        }
    }

    public func deleteLockouts(expiredBefore date: Date) async throws -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM sign_in_lockouts WHERE expires_at < ?", arguments: [date.unixSeconds])
            return db.changesCount
        }
    }
}
