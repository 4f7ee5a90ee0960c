/// The organisation's logo from the store, read at most every few seconds: every page's header and every email
/// show it, and an upload on one instance reaches the others that soon.
public actor BrandingCache {
    private let store: any BrandingStore
    private let lifetime: Duration
    private var cached: (at: ContinuousClock.Instant, logo: Logo?)?

    public init(store: any BrandingStore, lifetime: Duration = .seconds(5)) {
        self.store = store
        self.lifetime = lifetime
    }

    /// The logo; a store that cannot answer shows none rather than failing the page.
    public func logo() async -> Logo? {
        let now = ContinuousClock.now
        if let cached, now - cached.at < lifetime { return cached.logo }
        let logo = try? await store.logo()
        cached = (now, logo)
        return logo
    }

    /// Forgets the cached logo after this instance changed it.
    public func invalidate() {
        cached = nil
    }
}
