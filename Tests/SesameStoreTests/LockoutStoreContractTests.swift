import Foundation
import SesameCore
import SesameTestSupport
import Testing

@Suite struct LockoutStoreContractTests {
    @Test(arguments: StoreAdapter.allCases)
    func anUnknownUserIDsLockoutIsKeptUntilItExpires(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            var lockout = SignInLockout()
            for index in 1...10 { lockout.recordFailure(fingerprint: "f\(index)", at: t0) }
            try await store.saveLockout(lockout, subject: "digest-1", expiresAt: t0.addingTimeInterval(600))
            #expect(try await store.lockout(subject: "digest-1", now: t0) == lockout)
            #expect(try await store.lockout(subject: "digest-2", now: t0) == nil)
            lockout.recordFailure(fingerprint: "f11", at: t0.addingTimeInterval(10))
            try await store.saveLockout(lockout, subject: "digest-1", expiresAt: t0.addingTimeInterval(1_200))
            #expect(try await store.lockout(subject: "digest-1", now: t0.addingTimeInterval(900)) == lockout, "saving again replaces")
            #expect(try await store.lockout(subject: "digest-1", now: t0.addingTimeInterval(1_200)) == nil, "expired")
            try await store.saveLockout(SignInLockout(), subject: "digest-3", expiresAt: t0.addingTimeInterval(5_000))
            #expect(try await store.deleteLockouts(expiredBefore: t0.addingTimeInterval(2_000)) == 1)
            #expect(try await store.lockout(subject: "digest-3", now: t0) == SignInLockout())
        }
    }

    /// A failed sign-in writes the lockout alone: an administrator's edit made since the user was read stays.
    @Test(arguments: StoreAdapter.allCases)
    func aUsersLockoutIsWrittenAlone(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = User(userID: "alice@contoso.com", displayName: "Alice", createdAt: t0)
            try await store.insertUser(user)
            var edited = user
            edited.displayName = "Alice Martin"
            edited.roles = [.helpdeskAdmin]
            try await store.updateUser(edited)
            var lockout = user.lockout
            lockout.recordFailure(fingerprint: "f1", at: t0)
            try await store.updateLockout(lockout, ofUser: user.id)
            let stored = try #require(try await store.user(id: user.id))
            // All but the streak, which only claims and clearing write.
            let written = SignInLockout(
                failures: lockout.failures, lockedUntil: lockout.lockedUntil, recentWrongPasswords: lockout.recentWrongPasswords,
                lastFailureAt: lockout.lastFailureAt)
            #expect(stored.lockout == written && stored.displayName == "Alice Martin" && stored.roles == [.helpdeskAdmin])
        }
    }

    /// Instances checking one user's passwords at once: of 12 simultaneous claims, as many as the limit go ahead; a
    /// whole-record write does not bring an old streak back; after a quiet window, or a clearing, claims go ahead
    /// again (docs/security.md#directory-lockout).
    @Test(arguments: StoreAdapter.allCases)
    func passwordChecksAreClaimedAtomically(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = User(userID: "alice@contoso.com", createdAt: t0)
            try await store.insertUser(user)
            let limit = DirectoryBindLimit(failures: 4, window: 600)
            let claims = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<12 { group.addTask { try await store.claimPasswordCheck(ofUser: user.id, limit: limit, now: t0) } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(claims.filter { $0 }.count == 4)
            try await store.updateUser(user)
            #expect(try await store.user(id: user.id)?.lockout.streak == 4, "an older record written whole keeps the streak")
            #expect(try await store.user(id: user.id)?.lockout.heldUntil(limit, at: t0) == t0.addingTimeInterval(600))
            #expect(try await store.claimPasswordCheck(ofUser: user.id, limit: limit, now: t0.addingTimeInterval(599)) == false)
            #expect(try await store.claimPasswordCheck(ofUser: user.id, limit: limit, now: t0.addingTimeInterval(600)))
            #expect(try await store.user(id: user.id)?.lockout.streak == 1, "a quiet window starts the streak again")
            try await store.clearLockout(ofUser: user.id)
            #expect(try await store.user(id: user.id)?.lockout == SignInLockout())
        }
    }
}
