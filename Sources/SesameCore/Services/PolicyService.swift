/// Reads and changes the organisation's policy; every change is validated and audited with its old and new values.
public struct PolicyService: Sendable {
    private let store: any Store
    private let clock: any WallClock
    /// The instance's cache, told of every save made here so that it shows at once.
    private let cache: PolicyCache?

    public init(store: any Store, clock: any WallClock, cache: PolicyCache? = nil) {
        self.store = store
        self.clock = clock
        self.cache = cache
    }

    /// The saved policy, or the defaults (version 0) before the first save: read from the store, not the cache, so
    /// that a save names the version it really changes.
    public func current() async throws -> VersionedPolicy {
        try await store.policy() ?? VersionedPolicy(policy: Policy(), version: 0)
    }

    /// Sets one knob. A refused value throws ``PolicyError`` and changes nothing.
    @discardableResult
    public func set(_ key: PolicyKey, to value: String, actor: String) async throws -> Policy {
        do {
            return try await update([key: value], actor: actor)
        } catch let refused as PolicyErrors {
            throw refused.errors.first ?? refused
        }
    }

    /// Sets several knobs in one save; each changed knob is audited with its old and new values. Refused values
    /// throw ``PolicyErrors`` and change nothing; a save that raced another throws ``StoreError/conflict(_:)``.
    @discardableResult
    public func update(_ values: [PolicyKey: String], actor: String) async throws -> Policy {
        let current = try await current()
        let updated = try current.policy.updating(values)
        guard updated != current.policy else { return updated }
        let version = try await store.savePolicy(updated, expectedVersion: current.version)
        await cache?.remember(VersionedPolicy(policy: updated, version: version))
        for key in PolicyKey.allCases where key.value(in: current.policy) != key.value(in: updated) {
            let detail = LocalizedText("audit.policyChange", [
                "key": key.rawValue, "old": key.value(in: current.policy), "new": key.value(in: updated),
            ])
            try await store.appendAudit(AuditEvent(
                at: clock.now, activity: .policyChange, actor: actor, target: key.rawValue, detail: detail.description))
        }
        return updated
    }
}
