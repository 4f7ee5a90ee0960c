import Foundation

/// Users' recovery codes, as hashes (docs/security.md#recovery-codes). Using one is atomic, whatever the number of
/// server instances.
public protocol RecoveryCodeStore: Sendable {
    /// Replaces the user's set with `codes` in one transaction: the old set stops working at once. An empty array
    /// voids the set.
    func replaceRecoveryCodes(userID: UUID, with codes: [StoredRecoveryCode]) async throws
    /// The user's unused codes, by slot.
    func recoveryCodes(userID: UUID) async throws -> [StoredRecoveryCode]
    /// Deletes the code in `slot` if it still holds `hash`; `false` if it was used or replaced meanwhile (only one
    /// caller can ever get `true`).
    func consumeRecoveryCode(userID: UUID, slot: Int, hash: String) async throws -> Bool
}
