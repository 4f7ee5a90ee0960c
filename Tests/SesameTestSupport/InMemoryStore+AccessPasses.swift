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
            guard let pass = state.accessPasses.values.first(where: { $0.id == passID }), now < pass.expiresAt, !(pass.singleUse && pass.usedAt != nil)
            else { return false }
            state.accessPasses[pass.userID] = TemporaryAccessPass(
                id: pass.id, userID: pass.userID, hash: pass.hash, issuedBy: pass.issuedBy, issuedAt: pass.issuedAt, expiresAt: pass.expiresAt,
                singleUse: pass.singleUse, coversRoles: pass.coversRoles, usedAt: now)
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

extension AccessPassService {
    /// Passes for a test, hashed with the fast test hasher; their notices go to `outbox`.
    public static func testing(store: any Store, clock: any WallClock, outbox: any Outbox) -> AccessPassService {
        AccessPassService(
            store: store, hasher: fastHasher, clock: clock, random: SystemRandomSource(), reportLinks: .testing(store: store, clock: clock, outbox: outbox))
    }
}
