import Foundation

/// Users' passkeys, and the challenges already answered (docs/security.md#passkeys). Every change that two server
/// instances could race on is one statement.
public protocol PasskeyStore: Sendable {
    /// Adds a passkey; ``StoreError/conflict(_:)`` when its credential ID is already registered (to anyone), or when
    /// the user already has ``Passkey/maximumPerUser``.
    func insertPasskey(_ passkey: Passkey) async throws
    /// The user's passkeys, oldest first.
    func passkeys(userID: UUID) async throws -> [Passkey]
    /// The passkey with this credential ID, whoever's it is.
    func passkey(credentialID: [UInt8]) async throws -> Passkey?
    /// Records a use: the counter moves from `expected` to `signCount`, with the backup state and the time. `false`
    /// when the stored counter is no longer `expected` (another use came first) or the passkey is gone.
    func recordPasskeyUse(id: UUID, expected: UInt32, signCount: UInt32, backedUp: Bool, at date: Date) async throws -> Bool
    /// Deletes the user's passkey; `false` when the user has none by that ID.
    func deletePasskey(id: UUID, userID: UUID) async throws -> Bool
    /// Marks a challenge answered, by its MAC, until `expiresAt`; `false` when it already was (only one caller can
    /// ever get `true`).
    func claimPasskeyChallenge(mac: [UInt8], expiresAt: Date) async throws -> Bool
    /// Forgets answered challenges that expired before `date`; returns how many.
    func deletePasskeyChallenges(expiredBefore date: Date) async throws -> Int
}
