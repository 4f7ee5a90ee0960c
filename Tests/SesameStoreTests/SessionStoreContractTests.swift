import Foundation
import SesameCore
import Testing

@Suite struct SessionStoreContractTests {
    @Test(arguments: StoreAdapter.allCases)
    func sessionsLiveUntilTheyExpire(_ adapter: StoreAdapter) async throws {
        let store = try await adapter.make()
        try await store.saveSession(key: "k1", data: Data("one".utf8), expiresAt: t0.addingTimeInterval(60))
        #expect(try await store.session(key: "k1", now: t0) == Data("one".utf8))
        try await store.saveSession(key: "k1", data: Data("two".utf8), expiresAt: t0.addingTimeInterval(120))
        #expect(try await store.session(key: "k1", now: t0.addingTimeInterval(90)) == Data("two".utf8))
        #expect(try await store.session(key: "k1", now: t0.addingTimeInterval(120)) == nil, "expired")
        #expect(try await store.session(key: "unknown", now: t0) == nil)
        try await store.saveSession(key: "k2", data: Data(), expiresAt: t0.addingTimeInterval(1_000))
        #expect(try await store.deleteSessions(expiredBefore: t0.addingTimeInterval(500)) == 1)
        try await store.deleteSession(key: "k2")
        #expect(try await store.session(key: "k2", now: t0) == nil)
    }
}
