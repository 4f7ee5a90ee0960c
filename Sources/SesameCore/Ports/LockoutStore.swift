import Foundation

/// Sign-in lockouts. A user's lives on the user's record and is written alone, so that a failed sign-in cannot undo
/// an administrator's edit made meanwhile. A user ID that matches no enabled account gets one too, under a keyed
/// digest (never the ID itself), so that sign-in answers the same for it as for a real user
/// (docs/security.md#enumeration); those expire.
///
/// A user's streak (docs/security.md#directory-lockout) is written by two calls alone, each one statement, so that
/// instances checking passwords at once cannot together pass the limit, nor a whole-record write bring an old count
/// back: ``claimPasswordCheck(ofUser:limit:now:)`` and ``clearLockout(ofUser:)``.
public protocol LockoutStore: Sendable {
    /// Writes a user's lockout, all but its streak.
    func updateLockout(_ lockout: SignInLockout, ofUser id: UUID) async throws
    /// Counts one more password check in the user's streak and records it as the latest failure until it proves
    /// right, unless the streak already reached `limit.failures` less than `limit.window` ago. Whether the check
    /// may go ahead.
    func claimPasswordCheck(ofUser id: UUID, limit: DirectoryBindLimit, now: Date) async throws -> Bool
    /// A right password, a reset or an unlock: the whole lockout, streak included, starts again.
    func clearLockout(ofUser id: UUID) async throws
    func lockout(subject: String, now: Date) async throws -> SignInLockout?
    func saveLockout(_ lockout: SignInLockout, subject: String, expiresAt: Date) async throws
    func deleteLockouts(expiredBefore date: Date) async throws -> Int
}
