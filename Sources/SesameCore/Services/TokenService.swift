import Foundation

/// Creates API bearer tokens; the token is shown once and only its digest is kept.
public struct TokenService: Sendable {
    private let store: any Store
    private let clock: any WallClock
    private let random: any RandomSource

    public init(store: any Store, clock: any WallClock, random: any RandomSource) {
        self.store = store
        self.clock = clock
        self.random = random
    }

    public func create(name: String, actor: String) async throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard (1...100).contains(trimmed.count) else { throw ValidationError("field.length", ["min": "1", "max": "100"], field: "name") }
        let (token, record) = APIToken.generate(name: trimmed, at: clock.now, using: random)
        try await store.insertToken(record)
        try await store.appendAudit(AuditEvent(at: clock.now, activity: .apiTokenCreated, actor: actor, target: trimmed))
        return token
    }

    /// Revokes every live token of that name; `false` when there is none.
    @discardableResult
    public func revoke(name: String, actor: String) async throws -> Bool {
        let live = try await store.tokens().filter { $0.name == name && $0.revokedAt == nil }
        for token in live { try await store.revokeToken(id: token.id, at: clock.now) }
        guard !live.isEmpty else { return false }
        try await store.appendAudit(AuditEvent(at: clock.now, activity: .apiTokenRevoked, actor: actor, target: name))
        return true
    }

    public func list() async throws -> [APIToken] {
        try await store.tokens().sorted { $0.createdAt < $1.createdAt }
    }

    /// The live token a bearer presents, recording its use; `nil` for an unknown or revoked one.
    public func authenticate(_ token: String) async throws -> APIToken? {
        guard let record = try await store.token(digest: APIToken.digest(of: token)), record.revokedAt == nil else { return nil }
        try await store.touchToken(id: record.id, at: clock.now)
        return record
    }
}
