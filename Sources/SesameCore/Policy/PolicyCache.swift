/// The organisation's policy as one instance sees it, read from the store at most once a `lifetime` (a second): the
/// many reads of one request (and of every request in that second) cost one query, a change saved on another
/// instance shows within the lifetime, and one saved here at once (``PolicyService`` tells the cache)
/// (docs/architecture.md#where-state-lives).
public actor PolicyCache {
    private let store: any PolicyStore
    private let lifetime: Duration
    private var cached: (at: ContinuousClock.Instant, policy: VersionedPolicy)?

    public init(store: any PolicyStore, lifetime: Duration = .seconds(1)) {
        self.store = store
        self.lifetime = lifetime
    }

    /// The saved policy, or the defaults (version 0) before the first save.
    public func current() async throws -> VersionedPolicy {
        let now = ContinuousClock.now
        if let cached, now - cached.at < lifetime { return cached.policy }
        let policy = try await store.policy() ?? VersionedPolicy(policy: Policy(), version: 0)
        // A newer version remembered meanwhile (a save here while the store was read) is kept.
        if let cached, cached.policy.version > policy.version { return cached.policy }
        cached = (now, policy)
        return policy
    }

    /// The policy itself, for the many readers that need no version.
    public func policy() async throws -> Policy {
        try await current().policy
    }

    /// What this instance just saved: shown at once.
    public func remember(_ policy: VersionedPolicy) {
        guard policy.version >= (cached?.policy.version ?? 0) else { return }
        cached = (ContinuousClock.now, policy)
    }
}
