import Foundation
import SesameCore
import SesameTestSupport
import Testing

@Suite struct RecoveryCodeStoreContractTests {
    static let set = (0..<10).map { StoredRecoveryCode(slot: $0, hash: "$argon2id$hash-\($0)") }

    /// Alice, with the set of ten when `withSet`.
    func alice(in store: any Store, withSet: Bool = true) async throws -> User {
        let user = User(userID: "alice@contoso.com", createdAt: t0)
        try await store.insertUser(user)
        if withSet { try await store.replaceRecoveryCodes(userID: user.id, with: Self.set) }
        return user
    }

    @Test(arguments: StoreAdapter.allCases)
    func aSetIsReplacedWholeAndCountedWithTheUser(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = try await alice(in: store, withSet: false)
            #expect(try await store.user(id: user.id)?.authentication.recoveryCodesLeft == 0)
            try await store.replaceRecoveryCodes(userID: user.id, with: Self.set)
            #expect(try await store.recoveryCodes(userID: user.id) == Self.set)
            #expect(try await store.user(userID: "alice@contoso.com")?.authentication.recoveryCodesLeft == 10)
            #expect(try await store.users(UserQuery(limit: 10)).users.first?.authentication.recoveryCodesLeft == 10)
            let newer = [StoredRecoveryCode(slot: 0, hash: "$argon2id$new-0"), StoredRecoveryCode(slot: 1, hash: "$argon2id$new-1")]
            try await store.replaceRecoveryCodes(userID: user.id, with: newer)
            #expect(try await store.recoveryCodes(userID: user.id) == newer, "the old set is gone")
            try await store.replaceRecoveryCodes(userID: user.id, with: [])
            #expect(try await store.recoveryCodes(userID: user.id).isEmpty)
            try await store.replaceRecoveryCodes(userID: UUID(), with: Self.set)
            #expect(try await store.recoveryCodes(userID: user.id).isEmpty, "no codes for a user who does not exist")
        }
    }

    /// Saving a user (from a reading made before the codes changed) never writes the codes back.
    @Test(arguments: StoreAdapter.allCases)
    func savingAUserLeavesItsCodesAlone(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            var user = try await alice(in: store)
            user.displayName = "Alice Martin"
            user.authentication.recoveryCodesLeft = 0
            try await store.updateUser(user)
            #expect(try await store.recoveryCodes(userID: user.id).count == 10)
            #expect(try await store.user(id: user.id)?.authentication.recoveryCodesLeft == 10)
            try await store.deleteUser(id: user.id)
            #expect(try await store.recoveryCodes(userID: user.id).isEmpty, "they go with the user")
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func aCodeIsConsumedOnceAndOnlyWithItsHash(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = try await alice(in: store)
            #expect(try await !store.consumeRecoveryCode(userID: user.id, slot: 3, hash: "$argon2id$hash-4"), "another slot's hash")
            #expect(try await store.consumeRecoveryCode(userID: user.id, slot: 3, hash: "$argon2id$hash-3"))
            #expect(try await !store.consumeRecoveryCode(userID: user.id, slot: 3, hash: "$argon2id$hash-3"), "once")
            #expect(try await store.recoveryCodes(userID: user.id).map(\.slot) == [0, 1, 2, 4, 5, 6, 7, 8, 9])
            #expect(try await store.user(id: user.id)?.authentication.recoveryCodesLeft == 9)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func ofConcurrentConsumersOfOneCodeExactlyOneGetsIt(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = try await alice(in: store)
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await store.consumeRecoveryCode(userID: user.id, slot: 7, hash: "$argon2id$hash-7") } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
        }
    }
}
