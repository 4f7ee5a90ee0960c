import Foundation
import SesameCore
import SesameDirectory
import SesameTestSupport
import Testing

/// Against the throwaway OpenLDAP slapd of `scripts/slapd` (ppolicy, StartTLS) and Samba AD DC of `scripts/samba`
/// (LDAPS), both started by `scripts/test`: every change is proved by binding, and every refusal is the directory's
/// own. The same tests run on both.
@Suite(.serialized) struct LDAPDirectoryTests {
    /// New passwords differ from run to run, so that the directories' history does not refuse a second run.
    let run = String(Int.random(in: 1000...9999))

    @Test(arguments: TestDirectory.all) func resetThenChangeAndTheRulesOfAChange(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        let alice = target.user("alice")
        try await directory.resetPassword(userID: alice, new: "Reset!Pass-41-\(run)", mustChange: false)
        #expect(try await directory.authenticate(userID: alice, password: "Reset!Pass-41-\(run)"))
        #expect(try await directory.authenticate(userID: alice, password: target.initialPassword("alice")) == false)
        await #expect(throws: WritebackError.incorrectPassword) {
            try await directory.changePassword(userID: alice, current: "Not!The-Pass-9", new: "Changed!Pass-42-\(run)")
        }
        await #expect(throws: WritebackError.passwordTooShort) {
            try await directory.changePassword(userID: alice, current: "Reset!Pass-41-\(run)", new: "Sh0rt!pw9")
        }
        try await directory.changePassword(userID: alice, current: "Reset!Pass-41-\(run)", new: "Changed!Pass-42-\(run)")
        #expect(try await directory.authenticate(userID: alice, password: "Changed!Pass-42-\(run)"))
        await #expect(throws: WritebackError.passwordInHistory) {
            try await directory.changePassword(userID: alice, current: "Changed!Pass-42-\(run)", new: "Reset!Pass-41-\(run)")
        }
    }

    @Test(arguments: TestDirectory.all) func concurrentResetsOfOneUserAllLand(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        let alice = target.user("alice")
        let passwords = (0..<6).map { "Race!Pass-\($0)-\(run)" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for password in passwords { group.addTask { try await directory.resetPassword(userID: alice, new: password, mustChange: false) } }
            try await group.waitForAll()
        }
        // Every reset was accepted (none failed on the race); the entry is whole: the next reset and bind work.
        // (Trying each raced password would lock the account after three wrong ones.)
        try await directory.resetPassword(userID: alice, new: "After!Race-\(run)", mustChange: false)
        #expect(try await directory.authenticate(userID: alice, password: "After!Race-\(run)"))
    }

    @Test(arguments: TestDirectory.all) func aPasswordChangedTooRecently(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        await #expect(throws: WritebackError.passwordTooYoung) {
            try await directory.changePassword(userID: target.user("carol"), current: target.initialPassword("carol"), new: "Carol!Pass-77")
        }
    }

    @Test(arguments: TestDirectory.all) func lockoutUnlockAndAResetThatUnlocks(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        let bob = target.user("bob")
        try await directory.resetPassword(userID: bob, new: "Bob!Reset-Pass-2-\(run)", mustChange: false)
        for _ in 0..<3 { #expect(try await directory.authenticate(userID: bob, password: "wrong-password") == false) }
        #expect(try await directory.isLocked(userID: bob))
        await #expect(throws: WritebackError.accountLocked) { _ = try await directory.authenticate(userID: bob, password: "Bob!Reset-Pass-2-\(run)") }
        try await directory.unlock(userID: bob)
        #expect(try await directory.isLocked(userID: bob) == false)
        #expect(try await directory.authenticate(userID: bob, password: "Bob!Reset-Pass-2-\(run)"))

        for _ in 0..<3 { _ = try await directory.authenticate(userID: bob, password: "wrong-password") }
        #expect(try await directory.isLocked(userID: bob))
        try await directory.resetPassword(userID: bob, new: "Bob!Reset-Pass-3-\(run)", mustChange: false)
        #expect(try await directory.isLocked(userID: bob) == false)
        #expect(try await directory.authenticate(userID: bob, password: "Bob!Reset-Pass-3-\(run)"))
    }

    /// What a session watches (docs/security.md#sessions-and-the-directory): the stamp of the last password change
    /// moves with every change, and the lock and disabled flags are the directory's.
    @Test(arguments: TestDirectory.all) func accountStateFollowsChangesLocksAndDisabling(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        let bob = target.user("bob")
        try await directory.resetPassword(userID: bob, new: "Bob!State-Pass-1-\(run)", mustChange: false)
        let before = try await directory.accountState(userID: bob)
        #expect(before.passwordChanged != nil && !before.locked && !before.disabled)
        // OpenLDAP's pwdChangedTime counts whole seconds.
        try await Task.sleep(for: .milliseconds(1_100))
        try await directory.resetPassword(userID: bob, new: "Bob!State-Pass-2-\(run)", mustChange: false)
        let after = try await directory.accountState(userID: bob)
        #expect(after.passwordChanged != nil && after.passwordChanged != before.passwordChanged)
        for _ in 0..<3 { _ = try await directory.authenticate(userID: bob, password: "wrong-password") }
        #expect(try await directory.accountState(userID: bob).locked)
        try await directory.unlock(userID: bob)
        #expect(try await directory.accountState(userID: bob) == after, "unlocking is no password change")
        let dave = try await directory.accountState(userID: target.user("dave"))
        #expect(dave.disabled && !dave.locked)
        await #expect(throws: WritebackError.userNotFound) { _ = try await directory.accountState(userID: target.user("nobody")) }
    }

    @Test(arguments: TestDirectory.all) func aDisabledAccountStaysDisabled(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        let dave = target.user("dave")
        await #expect(throws: WritebackError.accountDisabled) { _ = try await directory.authenticate(userID: dave, password: target.initialPassword("dave")) }
        await #expect(throws: WritebackError.accountDisabled) { try await directory.resetPassword(userID: dave, new: "Dave!Reset-Pass-1", mustChange: false) }
        await #expect(throws: WritebackError.accountDisabled) { try await directory.unlock(userID: dave) }
    }

    @Test(arguments: TestDirectory.all) func aUserWhoMayNotChangeTheirPassword(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        await #expect(throws: WritebackError.changeNotAllowed) {
            try await directory.changePassword(userID: target.user("erin"), current: target.initialPassword("erin"), new: "Erin!Changed-Pass-1")
        }
    }

    @Test(arguments: TestDirectory.all) func unknownUsersAndFilterCharacters(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        await #expect(throws: WritebackError.userNotFound) { try await directory.resetPassword(userID: target.user("nobody"), new: "Some!Pass-1234", mustChange: false) }
        // A typed "*" must not match every entry.
        await #expect(throws: WritebackError.userNotFound) { _ = try await directory.authenticate(userID: "*", password: "x") }
        await #expect(throws: WritebackError.userNotFound) { _ = try await directory.authenticate(userID: "a*)(uid=*", password: "x") }
        // An empty password would be an unauthenticated bind, which a directory accepts: it is never a match.
        #expect(try await directory.authenticate(userID: target.user("alice"), password: "") == false)
    }

    @Test(arguments: TestDirectory.all) func entriesForSync(_ target: TestDirectory) async throws {
        let entries = try await target.directory().entries()
        let alice = try #require(entries.first { $0.userID == target.user("alice") })
        #expect(alice.givenName == "Alice" && alice.surname == "Martin")
        #expect(alice.mail == target.mail("alice"))
        #expect(alice.telephoneNumber == "+33 1 23 45 67 89")
        #expect(entries.first { $0.userID == target.user("dave") }?.enabled == false)
        #expect(alice.enabled)
    }

    // scripts/slapd lets the service account have at most 3 entries from one request, as Active Directory allows
    // 1,000: a listing in a single request fails there, so sync must page; pages of 2 make several on both.
    @Test(arguments: TestDirectory.all) func entriesArriveWholeAPageAtATime(_ target: TestDirectory) async throws {
        let whole = try await target.directory().entries().map(\.userID)
        let paged = try await target.directory { $0.pageSize = 2 }.entries().map(\.userID)
        #expect(Set(whole).isSuperset(of: ["alice", "bob", "carol", "dave", "erin", "frank", "grace"].map(target.user)))
        #expect(paged.sorted() == whole.sorted())
        #expect(Set(paged).count == paged.count, "no entry twice")
    }

    @Test(arguments: TestDirectory.all) func statusSaysWhyWritebackCannotWork(_ target: TestDirectory) async throws {
        #expect(await (try target.directory()).status() == .configured)
        func problem(_ change: (inout LDAPSettings) -> Void) async throws -> DirectoryProblem? {
            guard case .notConfigured(let problem, _) = await (try target.directory(change)).status() else { return nil }
            return problem
        }
        #expect(try await problem { $0.bindPassword = "not-the-password" } == .bindRefused)
        #expect(try await problem { $0.certificateAuthorityFile = nil } == .tlsFailure)
        #expect(try await problem { $0.url = "ldaps://127.0.0.1:1" } == .cannotConnect)
        #expect(try await problem { $0.baseDN = "ou=nowhere,dc=nowhere" } == .baseNotFound)
    }
}
