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
    /// Whether it was issued with the authority to cover a user who holds a role (a global administrator's): one
    /// issued for a plain user serves nobody who has become an administrator since (docs/security.md#access-control-and-sessions).
    public let coversRoles: Bool
    public let usedAt: Date?

    public init(
        id: UUID = UUID(), userID: UUID, hash: String, issuedBy: String, issuedAt: Date, expiresAt: Date, singleUse: Bool, coversRoles: Bool = false,
        usedAt: Date? = nil
    ) {
        self.id = id
        self.userID = userID
        self.hash = hash
        self.issuedBy = issuedBy
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.singleUse = singleUse
        self.coversRoles = coversRoles
        self.usedAt = usedAt
    }

    /// Before its expiry, not yet used if it is single use, and for `user` as they are now.
    public func isUsable(by user: User, at now: Date) -> Bool {
        now < expiresAt && !(singleUse && usedAt != nil) && (user.roles.isEmpty || coversRoles)
    }
}
