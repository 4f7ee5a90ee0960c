import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// The authenticator app's columns (docs/security.md#authenticator-app): the sealed key travels with the user's
/// record, and the last accepted time step moves only forward, by compare-and-set.
@Suite struct AuthenticatorStoreContractTests {
    @Test(arguments: StoreAdapter.allCases)
    func theSealedKeyIsSavedReadAndRemoved(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            var user = User(userID: "alice@contoso.com", createdAt: t0)
            try await store.insertUser(user)
            #expect(try await store.user(id: user.id)?.authentication.sealedAuthenticatorSecret == nil)
            let sealed = Data((0..<48).map { UInt8($0) })
            user.authentication.sealedAuthenticatorSecret = sealed
            try await store.updateUser(user)
            #expect(try await store.user(userID: "alice@contoso.com")?.authentication.sealedAuthenticatorSecret == sealed)
            user.authentication.sealedAuthenticatorSecret = nil
            try await store.updateUser(user)
            #expect(try await store.user(id: user.id)?.authentication.sealedAuthenticatorSecret == nil)
        }
    }

    /// Only a later step is claimed; a whole-record write does not bring an earlier one back.
    @Test(arguments: StoreAdapter.allCases)
    func stepsAreClaimedOnlyForward(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = User(userID: "alice@contoso.com", createdAt: t0)
            try await store.insertUser(user)
            #expect(try await store.claimAuthenticatorStep(100, ofUser: user.id))
            #expect(try await !store.claimAuthenticatorStep(100, ofUser: user.id), "the same step twice")
            #expect(try await !store.claimAuthenticatorStep(99, ofUser: user.id), "an earlier step")
            try await store.updateUser(user)
            #expect(try await !store.claimAuthenticatorStep(100, ofUser: user.id), "a whole-record write keeps the step")
            #expect(try await store.claimAuthenticatorStep(101, ofUser: user.id))
            #expect(try await !store.claimAuthenticatorStep(5, ofUser: UUID()), "an unknown user")
        }
    }

    /// Twelve requests carrying one code at once: exactly one claims its step.
    @Test(arguments: StoreAdapter.allCases)
    func oneStepIsClaimedOnceUnderRaces(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = User(userID: "alice@contoso.com", createdAt: t0)
            try await store.insertUser(user)
            let claims = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<12 { group.addTask { try await store.claimAuthenticatorStep(57_000_000, ofUser: user.id) } }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(claims.filter { $0 }.count == 1)
        }
    }
}
