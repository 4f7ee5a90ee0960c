import Crypto
import Foundation

/// An administrator's bearer token for the JSON API, as stored: its SHA-256 digest, never the token.
public struct APIToken: Sendable, Hashable, Codable, Identifiable {
    public let id: UUID
    public let name: String
    public let digest: String
    public let createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?
    public let scope: TokenScope
    /// `nil`: the token lasts until it is revoked.
    public let expiresAt: Date?

    public init(
        id: UUID = UUID(), name: String, digest: String, createdAt: Date, lastUsedAt: Date? = nil, revokedAt: Date? = nil,
        scope: TokenScope = .default, expiresAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.digest = digest
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
        self.scope = scope
        self.expiresAt = expiresAt
    }

    /// Neither revoked nor expired at `now`.
    public func isLive(at now: Date) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }

    static let prefix = "sesame_"

    /// A new token: 32 random bytes, base64url, with a recognisable prefix (so that secret scanners can find leaks).
    public static func generate(
        name: String, scope: TokenScope = .default, expiresAt: Date? = nil, at now: Date, using random: any RandomSource
    ) -> (token: String, record: APIToken) {
        let token = prefix + random.bytes(32).base64URL
        return (token, APIToken(name: name, digest: digest(of: token), createdAt: now, scope: scope, expiresAt: expiresAt))
    }

    /// SHA-256 suffices: a token has 256 bits of entropy, so there is nothing to slow down.
    public static func digest(of token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hex
    }
}
