/// A recovery code as it is kept: its slot and the Argon2id hash of its canonical form, never the code
/// (docs/security.md#recovery-codes).
public struct StoredRecoveryCode: Sendable, Hashable, Codable {
    public let slot: Int
    public let hash: String

    public init(slot: Int, hash: String) {
        self.slot = slot
        self.hash = hash
    }
}

extension Array where Element == StoredRecoveryCode {
    /// The stored code `code` is, if any, found with one Argon2id computation: only the hash of the code's slot is
    /// compared. When that slot is empty (its code was used) another stored hash is compared instead, which cannot
    /// match since the slot is part of what was hashed, so that a used code costs what a wrong one does
    /// (docs/security.md#recovery-codes).
    func match(_ code: RecoveryCode, hasher: any PasswordHasher) async -> StoredRecoveryCode? {
        guard let candidate = first(where: { $0.slot == code.slot }) ?? first else { return nil }
        guard await hasher.verify(code.canonical, against: candidate.hash), candidate.slot == code.slot else { return nil }
        return candidate
    }
}
