import Foundation
import GRDB
import PostgresNIO
import SesameCore
import SesameTestSupport
import Testing

@testable import SesameStore

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
            // What the sample leaves at its defaults.
            var other = try sampleUser("dana@contoso.com")
            other.enabled = false
            other.source = .directory
            other.passwordChangeRequired = true
            other.lockout = SignInLockout(failures: 10, lockedUntil: t0.addingTimeInterval(60), recentWrongPasswords: ["fp1", "fp2"], lastFailureAt: t0)
            try await store.insertUser(other)
            #expect(try await store.user(id: other.id) == other)
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
            let firstPage = try await store.users(UserQuery(limit: 10))
            #expect(firstPage.users.map(\.userID) == (0..<10).map { String(format: "user%02d@contoso.com", $0) })
            // Pages follow each other by cursor, and the last one says there is no next.
            let second = try await store.users(UserQuery(after: firstPage.next, limit: 10))
            #expect(second.users.map(\.userID) == (10..<20).map { String(format: "user%02d@contoso.com", $0) })
            let last = try await store.users(UserQuery(after: second.next, limit: 10))
            #expect(last.users.count == 6 && last.next == nil)
            #expect(try await store.users(UserQuery(limit: 10, offset: 20)).users.count == 6)
            // A prefix of a word of the user ID, names or email, case and accents ignored.
            #expect(try await store.users(UserQuery(search: "USER1", limit: 100)).users.count == 10)
            #expect(try await store.users(UserQuery(search: "person 2", limit: 100)).users.map(\.userID).count == 6)
            #expect(try await store.users(UserQuery(search: "zoe", limit: 100)).users.map(\.userID) == ["zed_one%@contoso.com"])
            #expect(try await store.users(UserQuery(search: "_one%", limit: 100)).users.isEmpty, "LIKE wildcards are literal")
            #expect(try await store.users(UserQuery(search: "zed_one%", limit: 100)).users.map(\.userID) == ["zed_one%@contoso.com"])
            #expect(try await store.users(UserQuery(search: "%", limit: 100)).users.isEmpty)
            #expect(try await store.users(UserQuery(search: "contoso", limit: 100)).users.isEmpty, "a domain's words are not terms")
            #expect(try await store.users(UserQuery(search: "user07@CONTOSO", limit: 100)).users.map(\.userID) == ["user07@contoso.com"])
            // Each page of a search ends at a (term, user) pair and the next starts after it: every user comes, the
            // ones found by two words ("user03" and "user03@contoso.com") twice.
            var query = UserQuery(search: "user", limit: 7)
            var found: [String] = []
            while true {
                let page = try await store.users(query)
                found += page.users.map(\.userID)
                guard let next = page.next else { break }
                query.after = next
            }
            #expect(Set(found).count == 25 && found.count <= 50)
            #expect(try await store.users(userIDs: ["USER03@contoso.com", "user04@contoso.com", "nobody@contoso.com"]).map(\.userID).sorted()
                == ["user03@contoso.com", "user04@contoso.com"])
            #expect(try await store.users(withRole: .globalAdmin, limit: 100).map(\.userID) == ["user00@contoso.com", "user10@contoso.com", "user20@contoso.com"])
            #expect(try await store.users(withRole: .globalAdmin, limit: 2).count == 2)
            #expect(try await store.users(withRole: .userAdmin, limit: 100).isEmpty)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func userIDsFromOneSourceComeInOrderWithoutTheOthers(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            for (userID, source) in [("zoe@contoso.com", UserSource.directory), ("local@contoso.com", .local), ("anna@contoso.com", .directory)] {
                try await store.insertUser(User(userID: userID, source: source, createdAt: t0))
            }
            #expect(try await store.userIDs(from: .directory) == ["anna@contoso.com", "zoe@contoso.com"])
            #expect(try await store.userIDs(from: .local) == ["local@contoso.com"])
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
            #expect(try await searchTerms(of: user.id, in: store).map { $0 > 0 } != false)
            try await store.deleteUser(id: user.id)
            #expect(try await store.user(id: user.id) == nil)
            #expect(try await store.challenge(id: challenge.id) == nil)
            #expect(try await searchTerms(of: user.id, in: store).map { $0 == 0 } != false)
            #expect(try await store.users(withRole: .passwordAdmin, limit: 10).isEmpty)
            await #expect(throws: StoreError.self) { try await store.deleteUser(id: user.id) }
            // The user ID is free again.
            try await store.insertUser(User(userID: user.userID, createdAt: t0))
        }
    }
}

/// How many search terms a database holds for a user (on PostgreSQL kept without a foreign key: docs/scale.md);
/// `nil` for the in-memory store, which finds users by reading them all.
private func searchTerms(of id: UUID, in store: any Store) async throws -> Int? {
    switch store {
    case let sqlite as SQLiteStore:
        try await sqlite.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM user_search WHERE user_id = ?", arguments: [id.uuidString]) }
    case let postgres as PostgresStore:
        try await postgres.rows("SELECT count(*) AS n FROM user_search WHERE user_id = \(id.uuidString)").first?.get("n", as: Int.self)
    default:
        nil
    }
}
