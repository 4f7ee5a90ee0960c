import Foundation

/// Browser sessions, kept in the store so that any server instance can serve any request. The key is a digest of
/// the cookie's value, so a leaked database does not hand out live sessions.
///
/// Each session is indexed by the user signed in with it, so that all of a user's sessions can be ended at once when
/// what they signed in with, or what they may do, changes (a reset, a change of password, disabling, new roles).
public protocol SessionStore: Sendable {
    /// Saves the session under `key`, indexed under `userID` (`nil` while no one is signed in with it): a new key.
    func saveSession(key: String, data: Data, userID: UUID?, expiresAt: Date) async throws
    /// Saves a session that exists, and only if it still does: `false` when it ended meanwhile (a reset ended it while
    /// one of its requests was running), which stays ended.
    func updateSession(key: String, data: Data, userID: UUID?, expiresAt: Date) async throws -> Bool
    /// The session's data, unless it is unknown or expired at `now`.
    func session(key: String, now: Date) async throws -> Data?
    func deleteSession(key: String) async throws
    /// Ends every session signed in as `userID` but the one under `keeping` (the session that changed its own
    /// password stays); returns how many ended.
    func deleteSessions(userID: UUID, keeping key: String?) async throws -> Int
    /// Deletes sessions that expired before `date`; returns how many.
    func deleteSessions(expiredBefore date: Date) async throws -> Int
}
