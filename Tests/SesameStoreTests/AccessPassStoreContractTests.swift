import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// Temporary access passes on every adapter (docs/behaviour.md#temporary-access-pass).
@Suite struct AccessPassStoreContractTests {
    func pass(of user: User, singleUse: Bool = true, expiresAt: Date = t0.addingTimeInterval(3_600)) -> TemporaryAccessPass {
        TemporaryAccessPass(userID: user.id, hash: "$argon2id$hash", issuedBy: "helpdesk@contoso.com", issuedAt: t0, expiresAt: expiresAt, singleUse: singleUse)
    }

    @Test(arguments: StoreAdapter.allCases)
    func aUserHoldsOnePassWhichASecondReplaces(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = User(userID: "alice@contoso.com", createdAt: t0)
            try await store.insertUser(user)
            #expect(try await store.accessPass(ofUser: user.id) == nil)
            let first = pass(of: user)
            try await store.saveAccessPass(first)
            #expect(try await store.accessPass(ofUser: user.id) == first)
            let second = pass(of: user, singleUse: false)
            try await store.saveAccessPass(second)
            #expect(try await store.accessPass(ofUser: user.id) == second)
            #expect(try await store.useAccessPass(first.id, now: t0) == false, "the replaced pass is gone")
            try await store.deleteAccessPass(ofUser: user.id)
            #expect(try await store.accessPass(ofUser: user.id) == nil)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func aSingleUsePassIsUsedOnceAndOnlyBeforeItExpires(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = User(userID: "alice@contoso.com", createdAt: t0)
            try await store.insertUser(user)
            let single = pass(of: user)
            try await store.saveAccessPass(single)
            #expect(try await store.useAccessPass(single.id, now: t0.addingTimeInterval(3_600)) == false, "expired")
            let used = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await store.useAccessPass(single.id, now: t0.addingTimeInterval(60)) } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(used == 1, "of eight requests at once, one uses it")
            #expect(try await store.accessPass(ofUser: user.id)?.usedAt == t0.addingTimeInterval(60))
            let reusable = pass(of: user, singleUse: false)
            try await store.saveAccessPass(reusable)
            #expect(try await store.useAccessPass(reusable.id, now: t0.addingTimeInterval(60)))
            #expect(try await store.useAccessPass(reusable.id, now: t0.addingTimeInterval(120)), "a reusable pass serves again")
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func expiredPassesAreSweptAndAUsersGoWithTheUser(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let alice = User(userID: "alice@contoso.com", createdAt: t0)
            let bob = User(userID: "bob@contoso.com", createdAt: t0)
            try await store.insertUser(alice)
            try await store.insertUser(bob)
            try await store.saveAccessPass(pass(of: alice, expiresAt: t0.addingTimeInterval(600)))
            try await store.saveAccessPass(pass(of: bob, expiresAt: t0.addingTimeInterval(7_200)))
            #expect(try await store.deleteAccessPasses(expiredBefore: t0.addingTimeInterval(3_600)) == 1)
            #expect(try await store.accessPass(ofUser: alice.id) == nil)
            try await store.deleteUser(id: bob.id)
            #expect(try await store.accessPass(ofUser: bob.id) == nil)
        }
    }
}
