import Foundation
import SesameCore
import Synchronization

// MARK: AccessPassStore
extension InMemoryStore {
    /// A pass belongs to a user that exists, as the adapters' foreign key requires.
    public func saveAccessPass(_ pass: TemporaryAccessPass) async throws {
        try state.withLock { state in
            guard state.users[pass.userID] != nil else { throw StoreError.notFound("user \(pass.userID)") }
            state.accessPasses[pass.userID] = pass
        }
    }

    public func accessPass(ofUser id: UUID) async throws -> TemporaryAccessPass? {
        state.withLock { $0.accessPasses[id] }
    }

    public func useAccessPass(_ passID: UUID, now: Date) async throws -> Bool {
        state.withLock { state in
            guard let pass = state.accessPasses.values.first(where: { $0.id == passID }), pass.isUsable(at: now) else { return false }
            state.accessPasses[pass.userID] = TemporaryAccessPass(
                id: pass.id, userID: pass.userID, hash: pass.hash, issuedBy: pass.issuedBy, issuedAt: pass.issuedAt, expiresAt: pass.expiresAt,
                singleUse: pass.singleUse, usedAt: now)
            return true
        }
    }

    public func deleteAccessPass(ofUser id: UUID) async throws {
        _ = state.withLock { $0.accessPasses.removeValue(forKey: id) }
    }

    public func deleteAccessPasses(expiredBefore date: Date) async throws -> Int {
        state.withLock { state in
            let expired = state.accessPasses.filter { $0.value.expiresAt < date }
            for id in expired.keys { state.accessPasses.removeValue(forKey: id) }
            return expired.count
        }
    }
}
