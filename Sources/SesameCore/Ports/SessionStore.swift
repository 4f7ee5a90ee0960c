import Crypto
import Foundation

/// Browser sessions, kept in the store so that any server instance can serve any request. The key is a digest of
/// the cookie's value, so a leaked database does not hand out live sessions.
///
/// Each session is indexed by the user signed in with it, so that all of a user's sessions can be ended at once when
/// what they signed in with, or what they may do, changes (a reset, a change of password, disabling, new roles).
///
/// Each write of a session gives it a new version, and an update names the version it read: two requests of one
/// session (on two instances, say) cannot both write what they made of the same version, the second is told and
/// starts again from what the first wrote (docs/security.md#session-writes-across-instances).
public protocol SessionStore: Sendable {
    /// Saves the session under `key`, indexed under `userID` (`nil` while no one is signed in with it): a new key.
    func saveSession(key: String, data: Data, userID: UUID?, expiresAt: Date) async throws
    /// Saves a session that exists, and only if it is still at `version`: a session that ended meanwhile (a reset
    /// ended it while one of its requests was running) stays ended, and one saved meanwhile is left as it is.
    func updateSession(key: String, data: Data, userID: UUID?, expiresAt: Date, version: Int64) async throws -> SessionUpdate
    /// The session's data and version, unless it is unknown or expired at `now`.
    func session(key: String, now: Date) async throws -> StoredSession?
    func deleteSession(key: String) async throws
    /// Ends every session signed in as `userID` but the one under `keeping` (the session that changed its own
    /// password stays); returns how many ended.
    func deleteSessions(userID: UUID, keeping key: String?) async throws -> Int
    /// Deletes sessions that expired before `date`; returns how many.
    func deleteSessions(expiredBefore date: Date) async throws -> Int
    /// The sessions signed in as `userID` that have not expired at `now`, each under its public ID: what the user's
    /// own list shows (docs/security.md#sessions).
    func sessions(userID: UUID, now: Date) async throws -> [ListedSession]
    /// Ends the session named `publicID` if it is signed in as `userID` (and no one else's); whether one ended.
    func deleteSession(publicID: String, userID: UUID) async throws -> Bool
}

/// A session in its user's list: named by its public ID, never by its key.
public struct ListedSession: Sendable, Hashable {
    public let publicID: String
    public let data: Data

    public init(publicID: String, data: Data) {
        self.publicID = publicID
        self.data = data
    }
}

/// The name a session is shown and ended under: a hash of its stored key, so that a page or form never holds the
/// key, and the name cannot be used as one (docs/security.md#sessions).
public enum SessionPublicID {
    public static func of(key: String) -> String {
        String(SHA256.hash(data: Data("sesame session public id\u{0}\(key)".utf8)).hex.prefix(32))
    }
}

/// A session as the store holds it.
public struct StoredSession: Sendable, Hashable {
    public let data: Data
    /// Moves on at every write.
    public let version: Int64

    public init(data: Data, version: Int64) {
        self.data = data
        self.version = version
    }
}

/// How an update of a session went.
public enum SessionUpdate: Sendable, Hashable {
    case saved
    /// Another request saved the session since the version this one read: nothing was written.
    case changed
    /// The session is gone: nothing was written.
    case ended
}
