import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// One read of the policy a second per instance: a change made here shows at once, one made on another instance
/// within the cache's lifetime (docs/architecture.md#where-state-lives).
@Suite struct PolicyCacheTests {
    @Test func aChangeHereShowsAtOnceAndOneElsewhereWithinTheLifetime() async throws {
        let store = InMemoryStore()
        let here = PolicyCache(store: store, lifetime: .seconds(3_600))
        // Two other instances: one whose copy lasts an hour, one whose copy lasts a tenth of a second.
        let there = PolicyCache(store: store, lifetime: .seconds(3_600))
        let soon = PolicyCache(store: store, lifetime: .milliseconds(100))
        for cache in [here, there, soon] { #expect(try await cache.current().policy.organisationName == Policy().organisationName) }
        try await PolicyService(store: store, clock: ManualClock(t0), cache: here).set(.organisationName, to: "Fabrikam", actor: "test")
        #expect(try await here.current() == VersionedPolicy(policy: try Policy().setting(.organisationName, to: "Fabrikam"), version: 1))
        #expect(try await there.current().policy.organisationName != "Fabrikam", "another instance reads its cached copy")
        try await eventually(within: .seconds(30)) { try await soon.current().policy.organisationName == "Fabrikam" }
    }
}
