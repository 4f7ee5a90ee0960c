import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// The logo in the core, without the web (docs/behaviour.md#administration).
@Suite struct BrandingServiceTests {
    @Test func aLogoIsCheckedSavedShownAtOnceAndAudited() async throws {
        let store = InMemoryStore()
        let cache = BrandingCache(store: store, lifetime: .seconds(3_600))
        let service = BrandingService(store: store, cache: cache, clock: ManualClock(t0))
        #expect(await cache.logo() == nil)
        await #expect(throws: ValidationError.self) { try await service.setLogo(Data("<html>".utf8), actor: "admin@contoso.com") }
        #expect(try await store.logo() == nil, "a refused file changes nothing")
        let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
        try await service.setLogo(png, actor: "admin@contoso.com")
        #expect(await cache.logo()?.data == png, "shown at once on this instance")
        try await service.removeLogo(actor: "admin@contoso.com")
        #expect(await cache.logo() == nil)
        let details = try await store.auditEvents(ActivityQuery()).filter { $0.target == "logo" }.map(\.detail)
        #expect(details == ["removed", "image/png, 16 bytes"])
    }
}
