import Foundation

/// Browser sessions, kept in the store so that any server instance can serve any request. The key is a digest of
/// the cookie's value, so a leaked database does not hand out live sessions.
public protocol SessionStore: Sendable {
    func saveSession(key: String, data: Data, expiresAt: Date) async throws
    /// The session's data, unless it is unknown or expired at `now`.
    func session(key: String, now: Date) async throws -> Data?
    func deleteSession(key: String) async throws
    /// Deletes sessions that expired before `date`; returns how many.
    func deleteSessions(expiredBefore date: Date) async throws -> Int
}
