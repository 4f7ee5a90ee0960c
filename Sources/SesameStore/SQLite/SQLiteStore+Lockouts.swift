import Foundation
import GRDB
import SesameCore

// MARK: LockoutStore

extension SQLiteStore {
    public func updateLockout(_ lockout: SignInLockout, ofUser id: UUID) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE users SET lockout_failures = ?, locked_until = ?, lockout_recent = ?, lockout_last_failure = ?, lockout_streak = ? WHERE id = ?",
                arguments: [
                    lockout.failures, lockout.lockedUntil?.unixSeconds, lockout.recentWrongPasswords.joined(separator: ","),
                    lockout.lastFailureAt?.unixSeconds, lockout.streak, id.uuidString,
                ])
        }
    }

    public func lockout(subject: String, now: Date) async throws -> SignInLockout? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM sign_in_lockouts WHERE subject = ? AND expires_at > ?", arguments: [subject, now.unixSeconds])
                .map { row in
                    let recent: String = row["recent"]
                    return SignInLockout(
                        failures: row["failures"], lockedUntil: row.date("locked_until"), recentWrongPasswords: recent.split(separator: ",").map(String.init),
                        lastFailureAt: row.date("last_failure"), streak: row["streak"])
                }
        }
    }

    public func saveLockout(_ lockout: SignInLockout, subject: String, expiresAt: Date) async throws {
        try await write { db in
            try db.execute(sql: """
                INSERT INTO sign_in_lockouts (subject, failures, locked_until, recent, last_failure, streak, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until,
                    recent = excluded.recent, last_failure = excluded.last_failure, streak = excluded.streak, expires_at = excluded.expires_at
                """, arguments: [
                    subject, lockout.failures, lockout.lockedUntil?.unixSeconds, lockout.recentWrongPasswords.joined(separator: ","),
                    lockout.lastFailureAt?.unixSeconds, lockout.streak, expiresAt.unixSeconds,
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
