import Foundation

/// Creates API bearer tokens; the token is shown once and only its digest is kept.
public struct TokenService: Sendable {
    /// How many days a token may be made to last, when it expires at all (ten years at most).
    public static let validDays = 1...3_650

    private let store: any Store
    private let clock: any WallClock
    private let random: any RandomSource

    public init(store: any Store, clock: any WallClock, random: any RandomSource) {
        self.store = store
        self.clock = clock
        self.random = random
    }

    /// A new token of `scope`, expiring `days` days from now (`nil`: until revoked). The audit event names its scope
    /// and expiry, never the token.
    public func create(name: String, scope: TokenScope = .default, days: Int? = nil, actor: String) async throws -> String {
        let trimmed = name.trimmingWhiteSpace()
        guard (1...100).contains(trimmed.count) else { throw ValidationError("field.length", ["min": "1", "max": "100"], field: "name") }
        try Self.check(days: days)
        let now = clock.now
        let expiresAt = days.map { now.addingTimeInterval(Double($0) * 86_400) }
        let (token, record) = APIToken.generate(name: trimmed, scope: scope, expiresAt: expiresAt, at: now, using: random)
        try await store.insertToken(record)
        let detail = expiresAt.map { LocalizedText("audit.apiToken.expiring", ["scope": scope.rawValue, "expires": $0.formatted(.iso8601)]) }
            ?? LocalizedText("audit.apiToken.lasting", ["scope": scope.rawValue])
        try await store.appendAudit(AuditEvent(at: now, activity: .apiTokenCreated, actor: actor, target: trimmed, detail: detail.description))
        return token
    }

    /// Refuses a lifetime outside ``validDays`` (`nil`, no expiry, is always allowed).
    public static func check(days: Int?) throws(ValidationError) {
        guard let days, !validDays.contains(days) else { return }
        throw ValidationError("field.range", ["min": String(validDays.lowerBound), "max": String(validDays.upperBound)], field: "days")
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

    /// The live token a bearer presents, recording its use; `nil` for an unknown, revoked or expired one.
    public func authenticate(_ token: String) async throws -> APIToken? {
        guard let record = try await store.token(digest: APIToken.digest(of: token)), record.isLive(at: clock.now) else { return nil }
        try await store.touchToken(id: record.id, at: clock.now)
        return record
    }
}
