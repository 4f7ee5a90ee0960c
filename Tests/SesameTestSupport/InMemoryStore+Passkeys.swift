import Foundation
import SesameCore
import Synchronization

// MARK: PasskeyStore

extension InMemoryStore {
    /// Refused as the adapters refuse it: for a user who does not exist, past the maximum, or with a credential ID (or
    /// an ID) already stored.
    public func insertPasskey(_ passkey: Passkey) async throws {
        try state.withLock { state in
            guard state.users[passkey.userID] != nil else { throw StoreError.notFound("user") }
            let count = state.passkeys.values.filter { $0.userID == passkey.userID }.count
            guard count < Passkey.maximumPerUser, state.passkeys[passkey.id] == nil,
                  !state.passkeys.values.contains(where: { $0.credentialID == passkey.credentialID })
            else { throw StoreError.conflict("passkey") }
            state.passkeys[passkey.id] = passkey
            state.users[passkey.userID]?.authentication.passkeyCount = count + 1
        }
    }

    /// Oldest first, then by ID as the adapters' `ORDER BY created_at, id`.
    public func passkeys(userID: UUID) async throws -> [Passkey] {
        state.withLock { state in
            state.passkeys.values.filter { $0.userID == userID }.sorted { left, right in
                left.createdAt == right.createdAt ? precedesByBytes(left.id.uuidString, right.id.uuidString) : left.createdAt < right.createdAt
            }
        }
    }

    public func passkey(credentialID: [UInt8]) async throws -> Passkey? {
        state.withLock { state in state.passkeys.values.first { $0.credentialID == credentialID } }
    }

    public func recordPasskeyUse(id: UUID, expected: UInt32, signCount: UInt32, backedUp: Bool, at date: Date) async throws -> Bool {
        state.withLock { state in
            guard var passkey = state.passkeys[id], passkey.signCount == expected else { return false }
            passkey.signCount = signCount
            passkey.backedUp = backedUp
            passkey.lastUsedAt = date
            state.passkeys[id] = passkey
            return true
        }
    }

    public func deletePasskey(id: UUID, userID: UUID) async throws -> Bool {
        state.withLock { state in
            guard state.passkeys[id]?.userID == userID else { return false }
            state.passkeys[id] = nil
            state.users[userID]?.authentication.passkeyCount = state.passkeys.values.filter { $0.userID == userID }.count
            return true
        }
    }

    public func claimPasskeyChallenge(mac: [UInt8], expiresAt: Date) async throws -> Bool {
        state.withLock { state in
            guard state.passkeyChallenges[mac] == nil else { return false }
            state.passkeyChallenges[mac] = expiresAt
            return true
        }
    }

    public func deletePasskeyChallenges(expiredBefore date: Date) async throws -> Int {
        state.withLock { state in
            let before = state.passkeyChallenges.count
            state.passkeyChallenges = state.passkeyChallenges.filter { $0.value >= date }
            return before - state.passkeyChallenges.count
        }
    }
}
