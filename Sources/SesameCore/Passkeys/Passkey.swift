import Foundation

/// A registered passkey, as kept (docs/security.md#passkeys): its public key and counter, never a secret.
public struct Passkey: Sendable, Hashable, Identifiable {
    /// Sesame's own name for it, which pages and the API use: the credential ID is the authenticator's.
    public let id: UUID
    public let userID: UUID
    /// The credential ID the authenticator chose (at most ``maximumCredentialIDLength`` bytes); unique across users.
    public let credentialID: [UInt8]
    /// The COSE key as the authenticator gave it, checked at registration.
    public let publicKeyCOSE: [UInt8]
    public let algorithm: Int
    public var signCount: UInt32
    /// Fixed at registration: an assertion that says otherwise is refused.
    public let backupEligible: Bool
    public var backedUp: Bool
    /// What the user called it ("Work laptop"), so that they can tell which to remove.
    public let name: String
    public let createdAt: Date
    public var lastUsedAt: Date?

    public init(
        id: UUID, userID: UUID, credentialID: [UInt8], publicKeyCOSE: [UInt8], algorithm: Int, signCount: UInt32, backupEligible: Bool,
        backedUp: Bool, name: String, createdAt: Date, lastUsedAt: Date? = nil
    ) {
        self.id = id
        self.userID = userID
        self.credentialID = credentialID
        self.publicKeyCOSE = publicKeyCOSE
        self.algorithm = algorithm
        self.signCount = signCount
        self.backupEligible = backupEligible
        self.backedUp = backedUp
        self.name = name
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }

    /// WebAuthn allows 1023 bytes (L3 §4 "Credential ID"); more is not an authenticator's.
    public static let maximumCredentialIDLength = 1_023
    /// Authenticators make credential IDs of at least 16 random bytes (WebAuthn L3 §6.1): a shorter one could be
    /// another's by chance.
    public static let minimumCredentialIDLength = 16
    /// A user keeps at most this many: enough for every device, and a bound on what a page and a sign-in read.
    public static let maximumPerUser = 10
    /// A name's length in characters.
    public static let maximumNameLength = 64
}
