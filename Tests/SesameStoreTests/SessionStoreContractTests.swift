import Foundation
import SesameCore
import SesameTestSupport
import Testing

@Suite struct SessionStoreContractTests {
    @Test(arguments: StoreAdapter.allCases)
    func sessionsLiveUntilTheyExpire(_ adapter: StoreAdapter) async throws {
        let store = try await adapter.make()
        try await store.saveSession(key: "k1", data: Data("one".utf8), userID: nil, expiresAt: t0.addingTimeInterval(60))
        #expect(try await store.session(key: "k1", now: t0) == Data("one".utf8))
        try await store.saveSession(key: "k1", data: Data("two".utf8), userID: nil, expiresAt: t0.addingTimeInterval(120))
        #expect(try await store.session(key: "k1", now: t0.addingTimeInterval(90)) == Data("two".utf8))
        #expect(try await store.session(key: "k1", now: t0.addingTimeInterval(120)) == nil, "expired")
        #expect(try await store.session(key: "unknown", now: t0) == nil)
        try await store.saveSession(key: "k2", data: Data(), userID: nil, expiresAt: t0.addingTimeInterval(1_000))
        #expect(try await store.deleteSessions(expiredBefore: t0.addingTimeInterval(500)) == 1)
        try await store.deleteSession(key: "k2")
        #expect(try await store.session(key: "k2", now: t0) == nil)
    }

    @Test(arguments: StoreAdapter.allCases)
    func aUsersSessionsEndTogetherButTheOneKept(_ adapter: StoreAdapter) async throws {
        let store = try await adapter.make()
        let alice = UUID(), bob = UUID()
        let later = t0.addingTimeInterval(600)
        for (key, user) in [("a1", alice), ("a2", alice), ("a3", alice), ("b1", bob)] {
            try await store.saveSession(key: key, data: Data(key.utf8), userID: user, expiresAt: later)
        }
        try await store.saveSession(key: "anonymous", data: Data(), userID: nil, expiresAt: later)
        #expect(try await store.deleteSessions(userID: alice, keeping: "a2") == 2)
        #expect(try await store.session(key: "a1", now: t0) == nil)
        #expect(try await store.session(key: "a3", now: t0) == nil)
        #expect(try await store.session(key: "a2", now: t0) == Data("a2".utf8), "the session kept")
        #expect(try await store.session(key: "b1", now: t0) != nil, "no one else's")
        #expect(try await store.session(key: "anonymous", now: t0) != nil, "nor one no one signed in with")
        // Saved again signed out, a session leaves the user's index; signed in as someone else, it moves.
        try await store.saveSession(key: "a2", data: Data(), userID: nil, expiresAt: later)
        try await store.saveSession(key: "anonymous", data: Data(), userID: bob, expiresAt: later)
        #expect(try await store.deleteSessions(userID: alice, keeping: nil) == 0)
        #expect(try await store.session(key: "a2", now: t0) != nil)
        #expect(try await store.deleteSessions(userID: bob, keeping: nil) == 2)
        #expect(try await store.session(key: "anonymous", now: t0) == nil)
    }

    @Test(arguments: StoreAdapter.allCases)
    func anEndedSessionIsNotSavedBackToLife(_ adapter: StoreAdapter) async throws {
        let store = try await adapter.make()
        let alice = UUID()
        let later = t0.addingTimeInterval(600)
        #expect(try await !store.updateSession(key: "k", data: Data("x".utf8), userID: alice, expiresAt: later), "no such session")
        #expect(try await store.session(key: "k", now: t0) == nil)
        try await store.saveSession(key: "k", data: Data("x".utf8), userID: alice, expiresAt: later)
        #expect(try await store.updateSession(key: "k", data: Data("y".utf8), userID: alice, expiresAt: later))
        #expect(try await store.session(key: "k", now: t0) == Data("y".utf8))
        // A reset ends it while one of its requests runs; that request's save at the end must not bring it back.
        #expect(try await store.deleteSessions(userID: alice, keeping: nil) == 1)
        #expect(try await !store.updateSession(key: "k", data: Data("z".utf8), userID: alice, expiresAt: later))
        #expect(try await store.session(key: "k", now: t0) == nil)
    }
}
