import Foundation
import SesameCore
import SesameTestSupport
import Testing

@Suite struct UserStoreContractTests {
    @Test(arguments: StoreAdapter.allCases)
    func insertAndReadBack(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = try sampleUser()
            try await store.insertUser(user)
            #expect(try await store.user(id: user.id) == user)
            #expect(try await store.user(userID: "ALICE@Contoso.com") == user, "look-up ignores case")
            #expect(try await store.user(userID: "bob@contoso.com") == nil)
            #expect(try await store.user(id: UUID()) == nil)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func duplicateUserIDsAreRefused(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            try await store.insertUser(try sampleUser())
            await #expect(throws: StoreError.duplicateUserID("Alice@contoso.com")) {
                try await store.insertUser(User(userID: "Alice@contoso.com", createdAt: t0))
            }
            #expect(try await store.userCount() == 1)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func updateReplacesEveryField(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            var user = try sampleUser()
            try await store.insertUser(user)
            user.displayName = "Alice M."
            user.roles = [.globalAdmin, .helpdeskAdmin]
            user.groups = ["other"]
            user.enabled = false
            user.source = .directory
            user.passwordHash = nil
            user.passwordChangeRequired = true
            user.lockout.clear()
            user.locale = nil
            user.authentication = AuthenticationData(alternateEmail: try EmailAddress("new@alt.example"))
            user.registration = RegistrationState()
            try await store.updateUser(user)
            #expect(try await store.user(id: user.id) == user)
            await #expect(throws: StoreError.self) { try await store.updateUser(User(userID: "ghost@contoso.com", createdAt: t0)) }
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func searchPagingAndRoles(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            for index in 0..<25 {
                var user = User(userID: String(format: "user%02d@contoso.com", index), displayName: "Person \(index)", createdAt: t0)
                if index % 10 == 0 { user.roles = [.globalAdmin] }
                try await store.insertUser(user)
            }
            try await store.insertUser(User(userID: "zed_one%@contoso.com", displayName: "Zoë", createdAt: t0))
            #expect(try await store.userCount() == 26)
            let firstPage = try await store.users(search: nil, limit: 10, offset: 0)
            #expect(firstPage.map(\.userID) == (0..<10).map { String(format: "user%02d@contoso.com", $0) })
            #expect(try await store.users(search: nil, limit: 10, offset: 20).count == 6)
            #expect(try await store.users(search: "USER1", limit: 100, offset: 0).count == 10)
            #expect(try await store.users(search: "person 2", limit: 100, offset: 0).map(\.userID).count == 6)
            #expect(try await store.users(search: "_one%", limit: 100, offset: 0).map(\.userID) == ["zed_one%@contoso.com"], "LIKE wildcards are literal")
            #expect(try await store.users(search: "%", limit: 100, offset: 0).count == 1)
            #expect(try await store.users(withRole: .globalAdmin, limit: 100).map(\.userID) == ["user00@contoso.com", "user10@contoso.com", "user20@contoso.com"])
            #expect(try await store.users(withRole: .globalAdmin, limit: 2).count == 2)
            #expect(try await store.users(withRole: .userAdmin, limit: 100).isEmpty)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func deleteRemovesTheUserAndWhatHangsOffIt(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = try sampleUser()
            try await store.insertUser(user)
            let challenge = CodeChallenge(
                id: UUID(), userID: user.id, purpose: .reset, channel: .sms, destination: "+33611111111", mac: [1, 2],
                issuedAt: t0, expiresAt: t0.addingTimeInterval(300), attemptsLeft: 3)
            try await store.insertChallenge(challenge)
            try await store.deleteUser(id: user.id)
            #expect(try await store.user(id: user.id) == nil)
            #expect(try await store.challenge(id: challenge.id) == nil)
            #expect(try await store.users(withRole: .passwordAdmin, limit: 10).isEmpty)
            await #expect(throws: StoreError.self) { try await store.deleteUser(id: user.id) }
            // The user ID is free again.
            try await store.insertUser(User(userID: user.userID, createdAt: t0))
        }
    }
}
