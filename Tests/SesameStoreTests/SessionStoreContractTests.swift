import Foundation
import SesameCore
import SesameTestSupport
import Testing

@Suite struct SessionStoreContractTests {
    @Test(arguments: StoreAdapter.allCases)
    func sessionsLiveUntilTheyExpire(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            try await store.saveSession(key: "k1", data: Data("one".utf8), userID: nil, expiresAt: t0.addingTimeInterval(60))
            #expect(try await store.session(key: "k1", now: t0)?.data == Data("one".utf8))
            try await store.saveSession(key: "k1", data: Data("two".utf8), userID: nil, expiresAt: t0.addingTimeInterval(120))
            #expect(try await store.session(key: "k1", now: t0.addingTimeInterval(90))?.data == Data("two".utf8))
            #expect(try await store.session(key: "k1", now: t0.addingTimeInterval(120)) == nil, "expired")
            #expect(try await store.session(key: "unknown", now: t0) == nil)
            try await store.saveSession(key: "k2", data: Data(), userID: nil, expiresAt: t0.addingTimeInterval(1_000))
            #expect(try await store.deleteSessions(expiredBefore: t0.addingTimeInterval(500)) == 1)
            try await store.deleteSession(key: "k2")
            #expect(try await store.session(key: "k2", now: t0) == nil)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func aUsersSessionsEndTogetherButTheOneKept(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let alice = UUID(), bob = UUID()
            let later = t0.addingTimeInterval(600)
            for (key, user) in [("a1", alice), ("a2", alice), ("a3", alice), ("b1", bob)] {
                try await store.saveSession(key: key, data: Data(key.utf8), userID: user, expiresAt: later)
            }
            try await store.saveSession(key: "anonymous", data: Data(), userID: nil, expiresAt: later)
            #expect(try await store.deleteSessions(userID: alice, keeping: "a2") == 2)
            #expect(try await store.session(key: "a1", now: t0) == nil)
            #expect(try await store.session(key: "a3", now: t0) == nil)
            #expect(try await store.session(key: "a2", now: t0)?.data == Data("a2".utf8), "the session kept")
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
    }

    @Test(arguments: StoreAdapter.allCases)
    func aUserListsAndEndsOnlyTheirOwnSessionsByPublicID(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let alice = UUID(), bob = UUID()
            let later = t0.addingTimeInterval(600)
            for (key, user) in [("a1", alice), ("a2", alice), ("b1", bob)] {
                try await store.saveSession(key: key, data: Data(key.utf8), userID: user, expiresAt: later)
            }
            try await store.saveSession(key: "a-old", data: Data(), userID: alice, expiresAt: t0.addingTimeInterval(10))
            try await store.saveSession(key: "anonymous", data: Data(), userID: nil, expiresAt: later)
            let listed = try await store.sessions(userID: alice, now: t0.addingTimeInterval(60))
            #expect(Set(listed.map(\.data)) == [Data("a1".utf8), Data("a2".utf8)], "alice's live sessions, not the expired one")
            #expect(Set(listed.map(\.publicID)) == [SessionPublicID.of(key: "a1"), SessionPublicID.of(key: "a2")])
            #expect(!listed.map(\.publicID).contains("a1"), "named by public ID, never by key")
            // Bob's session cannot be ended from Alice's list, even by its right public ID.
            #expect(try await store.deleteSession(publicID: SessionPublicID.of(key: "b1"), userID: alice) == false)
            #expect(try await store.session(key: "b1", now: t0) != nil)
            #expect(try await store.deleteSession(publicID: SessionPublicID.of(key: "a1"), userID: alice))
            #expect(try await store.session(key: "a1", now: t0) == nil)
            #expect(try await store.deleteSession(publicID: SessionPublicID.of(key: "a1"), userID: alice) == false, "once")
            #expect(try await store.session(key: "a2", now: t0) != nil)
            #expect(try await store.sessions(userID: bob, now: t0).map(\.publicID) == [SessionPublicID.of(key: "b1")])
        }
    }

    @Test func aPublicIDIsNotTheKeyAndDiffersByKey() {
        #expect(SessionPublicID.of(key: "k") != SessionPublicID.of(key: "l"))
        #expect(SessionPublicID.of(key: "k") != "k" && SessionPublicID.of(key: "k").count == 32)
    }

    @Test(arguments: StoreAdapter.allCases)
    func anEndedSessionIsNotSavedBackToLife(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let alice = UUID()
            let later = t0.addingTimeInterval(600)
            #expect(try await store.updateSession(key: "k", data: Data("x".utf8), userID: alice, expiresAt: later, version: 1) == .ended, "no such session")
            #expect(try await store.session(key: "k", now: t0) == nil)
            try await store.saveSession(key: "k", data: Data("x".utf8), userID: alice, expiresAt: later)
            let version = try #require(try await store.session(key: "k", now: t0)).version
            #expect(try await store.updateSession(key: "k", data: Data("y".utf8), userID: alice, expiresAt: later, version: version) == .saved)
            #expect(try await store.session(key: "k", now: t0)?.data == Data("y".utf8))
            // A reset ends it while one of its requests runs; that request's save at the end must not bring it back.
            #expect(try await store.deleteSessions(userID: alice, keeping: nil) == 1)
            #expect(try await store.updateSession(key: "k", data: Data("z".utf8), userID: alice, expiresAt: later, version: version + 1) == .ended)
            #expect(try await store.session(key: "k", now: t0) == nil)
        }
    }

    /// Two requests that read one version: the first to write wins, the second is told and writes nothing
    /// (docs/security.md#session-writes-across-instances).
    @Test(arguments: StoreAdapter.allCases)
    func anUpdateIsWrittenOnlyOverTheVersionItRead(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let later = t0.addingTimeInterval(600)
            try await store.saveSession(key: "k", data: Data("base".utf8), userID: nil, expiresAt: later)
            let read = try #require(try await store.session(key: "k", now: t0)).version
            #expect(try await store.updateSession(key: "k", data: Data("first".utf8), userID: nil, expiresAt: later, version: read) == .saved)
            #expect(try await store.updateSession(key: "k", data: Data("second".utf8), userID: nil, expiresAt: later, version: read) == .changed)
            let now = try #require(try await store.session(key: "k", now: t0))
            #expect(now.data == Data("first".utf8) && now.version > read)
            // Saved whole again under its key (a new sign-in's), the version moves on too.
            try await store.saveSession(key: "k", data: Data("again".utf8), userID: nil, expiresAt: later)
            #expect(try await store.updateSession(key: "k", data: Data("late".utf8), userID: nil, expiresAt: later, version: now.version) == .changed)
            // Many writers racing from one version: exactly one writes.
            let racing = try #require(try await store.session(key: "k", now: t0)).version
            let saved = try await withThrowingTaskGroup(of: SessionUpdate.self) { group in
                for index in 0..<12 {
                    group.addTask { try await store.updateSession(key: "k", data: Data("\(index)".utf8), userID: nil, expiresAt: later, version: racing) }
                }
                return try await group.reduce(into: 0) { $0 += $1 == .saved ? 1 : 0 }
            }
            #expect(saved == 1)
        }
    }
}
