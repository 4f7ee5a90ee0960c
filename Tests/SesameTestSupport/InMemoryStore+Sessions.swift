import Foundation
import SesameCore
import Synchronization

// MARK: SessionStore
extension InMemoryStore {
    /// A new session starts at version 1; saving one again under its key moves its version on.
    public func saveSession(key: String, data: Data, userID: UUID?, expiresAt: Date) async throws {
        state.withLock { state in
            let version = state.sessions[key].map { $0.version &+ 1 } ?? 1
            state.sessions[key] = Session(data: data, userID: userID, expiresAt: expiresAt, version: version)
        }
    }

    public func updateSession(key: String, data: Data, userID: UUID?, expiresAt: Date, version: Int64) async throws -> SessionUpdate {
        state.withLock { state in
            guard let session = state.sessions[key] else { return .ended }
            guard session.version == version else { return .changed }
            state.sessions[key] = Session(data: data, userID: userID, expiresAt: expiresAt, version: version &+ 1)
            return .saved
        }
    }

    public func session(key: String, now: Date) async throws -> StoredSession? {
        state.withLock { state in
            state.sessions[key].flatMap { $0.expiresAt > now ? StoredSession(data: $0.data, version: $0.version) : nil }
        }
    }

    public func deleteSession(key: String) async throws {
        state.withLock { $0.sessions[key] = nil }
    }

    public func deleteSessions(userID: UUID, keeping key: String?) async throws -> Int {
        state.withLock { state in
            let before = state.sessions.count
            state.sessions = state.sessions.filter { $0.value.userID != userID || $0.key == key }
            return before - state.sessions.count
        }
    }

    public func deleteSessions(expiredBefore date: Date) async throws -> Int {
        state.withLock { state in
            let before = state.sessions.count
            state.sessions = state.sessions.filter { $0.value.expiresAt >= date }
            return before - state.sessions.count
        }
    }

    public func sessions(userID: UUID, now: Date) async throws -> [ListedSession] {
        state.withLock { state in
            state.sessions.filter { $0.value.userID == userID && $0.value.expiresAt > now }
                .map { ListedSession(publicID: SessionPublicID.of(key: $0.key), data: $0.value.data) }
                .sorted { $0.publicID < $1.publicID }
        }
    }

    public func deleteSession(publicID: String, userID: UUID) async throws -> Bool {
        state.withLock { state in
            guard let key = state.sessions.first(where: { $0.value.userID == userID && SessionPublicID.of(key: $0.key) == publicID })?.key else {
                return false
            }
            state.sessions[key] = nil
            return true
        }
    }
}
