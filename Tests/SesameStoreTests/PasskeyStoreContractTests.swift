import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// Passkeys on every adapter (docs/security.md#passkeys): stored whole, one registration per credential ID, at most
/// ``Passkey/maximumPerUser`` a user, counted with the user, used by compare-and-set on the counter, gone with their
/// user; and each answered challenge claimed once.
@Suite struct PasskeyStoreContractTests {
    func passkey(of user: User, credentialID: [UInt8] = [1, 2, 3], signCount: UInt32 = 0, createdAt: Date = t0) -> Passkey {
        Passkey(
            id: UUID(), userID: user.id, credentialID: credentialID, publicKeyCOSE: [0xA5, 0x01, 0x02, 0x03, 0x26], algorithm: -7,
            signCount: signCount, backupEligible: true, backedUp: false, name: "Work laptop", createdAt: createdAt)
    }

    /// A user, stored.
    func storedUser(_ userID: String = "alice@contoso.com", in store: any Store) async throws -> User {
        let user = User(userID: userID, createdAt: t0)
        try await store.insertUser(user)
        return user
    }

    @Test(arguments: StoreAdapter.allCases)
    func aPasskeyIsStoredWholeAndFoundByItsCredentialID(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store async throws in
            let user = try await storedUser(in: store)
            #expect(try await store.passkeys(userID: user.id).isEmpty)
            let newest = passkey(of: user, credentialID: [0, 255, 1], signCount: UInt32.max, createdAt: t0.addingTimeInterval(60))
            try await store.insertPasskey(newest)
            #expect(try await store.passkeys(userID: user.id) == [newest])
            #expect(try await store.passkey(credentialID: [0, 255, 1]) == newest)
            #expect(try await store.passkey(credentialID: [0, 255]) == nil)
            #expect(try await store.passkey(credentialID: [0, 255, 1, 0]) == nil)

            let longest = Passkey(
                id: UUID(), userID: user.id, credentialID: Array(repeating: 0xFE, count: Passkey.maximumCredentialIDLength),
                publicKeyCOSE: Array(repeating: 0x58, count: 300), algorithm: -257, signCount: 0, backupEligible: false, backedUp: false,
                name: "Clé de l’entreprise", createdAt: t0, lastUsedAt: t0.addingTimeInterval(30))
            let twin = passkey(of: user, credentialID: [9], createdAt: t0)
            try await store.insertPasskey(longest)
            try await store.insertPasskey(twin)
            #expect(try await store.passkey(credentialID: longest.credentialID) == longest)
            let sameTime = [longest, twin].sorted { $0.id.uuidString.utf8.lexicographicallyPrecedes($1.id.uuidString.utf8) }
            #expect(try await store.passkeys(userID: user.id) == sameTime + [newest], "oldest first, then by ID")
        }
    }

    /// Saving a user (from a reading made before the passkeys changed) never writes the count back.
    @Test(arguments: StoreAdapter.allCases)
    func passkeysAreCountedWithTheUserAndGoWithIt(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store async throws in
            var user = try await storedUser(in: store)
            #expect(try await store.user(id: user.id)?.authentication.passkeyCount == 0)
            try await store.insertPasskey(passkey(of: user, credentialID: [1]))
            try await store.insertPasskey(passkey(of: user, credentialID: [2]))
            #expect(try await store.user(id: user.id)?.authentication.passkeyCount == 2)
            #expect(try await store.user(userID: "alice@contoso.com")?.authentication.passkeyCount == 2)
            #expect(try await store.users(UserQuery(limit: 10)).users.first?.authentication.passkeyCount == 2)
            user.displayName = "Alice Martin"
            user.authentication.passkeyCount = 7
            try await store.updateUser(user)
            #expect(try await store.user(id: user.id)?.authentication.passkeyCount == 2)
            #expect(try await store.passkeys(userID: user.id).count == 2)
            try await store.deleteUser(id: user.id)
            #expect(try await store.passkeys(userID: user.id).isEmpty, "they go with the user")
            #expect(try await store.passkey(credentialID: [1]) == nil)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func aCredentialIDIsRegisteredOnceAndAUserHoldsAtMostTheMaximum(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store async throws in
            let alice = try await storedUser(in: store)
            let bob = try await storedUser("bob@contoso.com", in: store)
            let first = passkey(of: alice, credentialID: [1, 2, 3])
            try await store.insertPasskey(first)
            await #expect(throws: StoreError.conflict("passkey")) { try await store.insertPasskey(passkey(of: alice, credentialID: [1, 2, 3])) }
            await #expect(throws: StoreError.conflict("passkey")) { try await store.insertPasskey(passkey(of: bob, credentialID: [1, 2, 3])) }
            #expect(try await store.passkey(credentialID: [1, 2, 3]) == first, "the first registration stays")
            #expect(try await store.passkeys(userID: bob.id).isEmpty)

            for index in 1..<Passkey.maximumPerUser { try await store.insertPasskey(passkey(of: alice, credentialID: [UInt8(index)])) }
            await #expect(throws: StoreError.conflict("passkey")) { try await store.insertPasskey(passkey(of: alice, credentialID: [99])) }
            #expect(try await store.passkeys(userID: alice.id).count == Passkey.maximumPerUser)
            #expect(try await store.passkey(credentialID: [99]) == nil)
            try await store.insertPasskey(passkey(of: bob, credentialID: [99]))
            #expect(try await store.user(id: bob.id)?.authentication.passkeyCount == 1, "each user's maximum is their own")

            let nobody = User(userID: "nobody@contoso.com", createdAt: t0)
            await #expect(throws: StoreError.notFound("user")) { try await store.insertPasskey(passkey(of: nobody, credentialID: [100])) }
            #expect(try await store.passkey(credentialID: [100]) == nil)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func ofConcurrentRegistrationsNoneGoesPastTheMaximum(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store async throws in
            let user = try await storedUser(in: store)
            for index in 0..<(Passkey.maximumPerUser - 2) { try await store.insertPasskey(passkey(of: user, credentialID: [UInt8(index)])) }
            let candidates = (0..<8).map { passkey(of: user, credentialID: [100, UInt8($0)]) }
            let stored = try await withThrowingTaskGroup(of: Bool.self) { group in
                for candidate in candidates {
                    group.addTask {
                        do {
                            try await store.insertPasskey(candidate)
                            return true
                        } catch StoreError.conflict {
                            return false
                        }
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(stored == 2)
            #expect(try await store.passkeys(userID: user.id).count == Passkey.maximumPerUser)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func aUseMovesTheCounterOnlyFromTheExpectedValue(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store async throws in
            let user = try await storedUser(in: store)
            let registered = passkey(of: user, signCount: 5)
            try await store.insertPasskey(registered)
            #expect(try await store.passkey(credentialID: registered.credentialID)?.lastUsedAt == nil)
            #expect(try await store.recordPasskeyUse(id: registered.id, expected: 5, signCount: 9, backedUp: true, at: t0.addingTimeInterval(60)))
            var used = registered
            used.signCount = 9
            used.backedUp = true
            used.lastUsedAt = t0.addingTimeInterval(60)
            #expect(try await store.passkey(credentialID: registered.credentialID) == used)
            #expect(try await !store.recordPasskeyUse(id: registered.id, expected: 5, signCount: 10, backedUp: false, at: t0.addingTimeInterval(120)),
                    "a stale counter")
            #expect(try await !store.recordPasskeyUse(id: UUID(), expected: 9, signCount: 10, backedUp: false, at: t0.addingTimeInterval(120)),
                    "no such passkey")
            #expect(try await store.passkeys(userID: user.id) == [used], "neither changed anything")
            #expect(try await store.recordPasskeyUse(
                id: registered.id, expected: 9, signCount: UInt32.max, backedUp: false, at: t0.addingTimeInterval(180)))
            #expect(try await store.passkey(credentialID: registered.credentialID)?.signCount == UInt32.max)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func ofConcurrentUsesFromOneCounterExactlyOneMovesIt(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store async throws in
            let user = try await storedUser(in: store)
            let registered = passkey(of: user, signCount: 5)
            try await store.insertPasskey(registered)
            let id = registered.id
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<8 {
                    group.addTask { try await store.recordPasskeyUse(id: id, expected: 5, signCount: 6 + UInt32(index), backedUp: false, at: t0) }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func aPasskeyIsDeletedOnlyByItsOwner(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store async throws in
            let alice = try await storedUser(in: store)
            let bob = try await storedUser("bob@contoso.com", in: store)
            let alices = passkey(of: alice, credentialID: [1])
            try await store.insertPasskey(alices)
            #expect(try await !store.deletePasskey(id: alices.id, userID: bob.id), "not Bob's")
            #expect(try await store.passkeys(userID: alice.id) == [alices])
            #expect(try await store.deletePasskey(id: alices.id, userID: alice.id))
            #expect(try await !store.deletePasskey(id: alices.id, userID: alice.id), "once")
            #expect(try await store.passkey(credentialID: [1]) == nil)
            #expect(try await store.user(id: alice.id)?.authentication.passkeyCount == 0)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func aChallengeIsClaimedOnceAndForgottenOnceExpired(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store async throws in
            #expect(try await store.claimPasskeyChallenge(mac: [1, 2, 3], expiresAt: t0.addingTimeInterval(300)))
            #expect(try await !store.claimPasskeyChallenge(mac: [1, 2, 3], expiresAt: t0.addingTimeInterval(900)), "once")
            #expect(try await store.claimPasskeyChallenge(mac: [4, 5, 6], expiresAt: t0.addingTimeInterval(600)))
            #expect(try await store.claimPasskeyChallenge(mac: [7, 8, 9], expiresAt: t0.addingTimeInterval(900)))
            #expect(try await store.deletePasskeyChallenges(expiredBefore: t0.addingTimeInterval(600)) == 1, "only what expired before")
            #expect(try await !store.claimPasskeyChallenge(mac: [4, 5, 6], expiresAt: t0.addingTimeInterval(900)), "expiring at the sweep: kept")
            #expect(try await !store.claimPasskeyChallenge(mac: [7, 8, 9], expiresAt: t0.addingTimeInterval(900)), "kept")
            #expect(try await store.claimPasskeyChallenge(mac: [1, 2, 3], expiresAt: t0.addingTimeInterval(900)), "swept")
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func ofConcurrentClaimsOfOneChallengeExactlyOneGetsIt(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store async throws in
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await store.claimPasskeyChallenge(mac: [1, 2, 3], expiresAt: t0.addingTimeInterval(300)) } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
        }
    }
}
