import Foundation

/// Sign-in lockouts. A user's lives on the user's record and is written alone, so that a failed sign-in cannot undo
/// an administrator's edit made meanwhile. A user ID that matches no enabled account gets one too, under a keyed
/// digest (never the ID itself), so that sign-in answers the same for it as for a real user
/// (docs/security.md#enumeration); those expire.
public protocol LockoutStore: Sendable {
    func updateLockout(_ lockout: SignInLockout, ofUser id: UUID) async throws
    func lockout(subject: String, now: Date) async throws -> SignInLockout?
    func saveLockout(_ lockout: SignInLockout, subject: String, expiresAt: Date) async throws
    func deleteLockouts(expiredBefore date: Date) async throws -> Int
}
