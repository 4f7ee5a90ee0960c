/// Reads and changes the organisation's policy; every change is validated and audited with its old and new values.
public struct PolicyService: Sendable {
    private let store: any Store
    private let clock: any WallClock

    public init(store: any Store, clock: any WallClock) {
        self.store = store
        self.clock = clock
    }

    /// The saved policy, or the defaults (version 0) before the first save.
    public func current() async throws -> VersionedPolicy {
        try await store.policy() ?? VersionedPolicy(policy: Policy(), version: 0)
    }

    /// Sets one knob. A refused value throws ``PolicyError`` and changes nothing.
    @discardableResult
    public func set(_ key: PolicyKey, to value: String, actor: String) async throws -> Policy {
        let current = try await current()
        let updated = try current.policy.setting(key, to: value)
        guard updated != current.policy else { return updated }
        _ = try await store.savePolicy(updated, expectedVersion: current.version)
        let detail = LocalizedText("audit.policyChange", [
            "key": key.rawValue, "old": key.value(in: current.policy), "new": key.value(in: updated),
        ])
        try await store.appendAudit(AuditEvent(
            at: clock.now, activity: .policyChange, actor: actor, target: key.rawValue, detail: detail.description))
        return updated
    }
}
