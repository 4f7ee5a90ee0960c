import Foundation

/// Changes the organisation's logo (the texts of the branding page are policy keys, changed through
/// ``PolicyService``): checked from its bytes, audited, and shown on this instance at once
/// (docs/behaviour.md#administration).
public struct BrandingService: Sendable {
    private let store: any Store
    private let cache: BrandingCache
    private let clock: any WallClock

    public init(store: any Store, cache: BrandingCache, clock: any WallClock) {
        self.store = store
        self.cache = cache
        self.clock = clock
    }

    /// Saves the uploaded logo; a file that is not an accepted image throws ``ValidationError`` and changes nothing.
    @discardableResult
    public func setLogo(_ bytes: Data, actor: String) async throws -> Logo {
        let logo = try Logo.uploaded(bytes)
        try await store.saveLogo(logo)
        await cache.invalidate()
        try await audit("\(logo.type), \(logo.data.count) bytes", actor: actor)
        return logo
    }

    public func removeLogo(actor: String) async throws {
        try await store.saveLogo(nil)
        await cache.invalidate()
        try await audit("removed", actor: actor)
    }

    private func audit(_ detail: String, actor: String) async throws {
        try await store.appendAudit(AuditEvent(at: clock.now, activity: .policyChange, actor: actor, target: "logo", detail: detail))
    }
}
