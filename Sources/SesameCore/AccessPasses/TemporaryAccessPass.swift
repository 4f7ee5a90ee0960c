import Foundation

/// A temporary access pass (docs/behaviour.md#temporary-access-pass): a time-limited secret that a helpdesk or global
/// administrator gives a user who lost every method. A user holds one at most; issuing another replaces it. Only its
/// Argon2id hash is kept, like a password's.
public struct TemporaryAccessPass: Sendable, Hashable {
    public let id: UUID
    public let userID: UUID
    public let hash: String
    /// Who issued it, as the audit log names them.
    public let issuedBy: String
    public let issuedAt: Date
    public let expiresAt: Date
    public let singleUse: Bool
    public let usedAt: Date?

    public init(id: UUID = UUID(), userID: UUID, hash: String, issuedBy: String, issuedAt: Date, expiresAt: Date, singleUse: Bool, usedAt: Date? = nil) {
        self.id = id
        self.userID = userID
        self.hash = hash
        self.issuedBy = issuedBy
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.singleUse = singleUse
        self.usedAt = usedAt
    }

    /// Before its expiry, and not yet used if it is single use.
    public func isUsable(at now: Date) -> Bool {
        now < expiresAt && !(singleUse && usedAt != nil)
    }
}
