import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import SesameDirectory
import SesameStore
import SesameTestSupport
import Synchronization
import Testing

@testable import SesameWeb

/// The portals for directory users, against the real slapd and Samba AD DC that `scripts/test` starts: what a
/// person sees is the directory's answer, and every change is proved by binding to the directory.
@Suite(.serialized) struct DirectoryWritebackTests {
    /// New passwords differ from run to run, so that the directories' history does not refuse a second run. Their
    /// fixed parts carry no word, so that Sesame's banned-password score passes whatever the digits ("Frank!New-Pass-"
    /// failed for 17 of the 9,000, "1234" and "2345" among them).
    let run = String(Int.random(in: 1000...9999))

    /// A harness whose users were synced from `target`, on `store` when one is given.
    func harness(_ target: TestDirectory, directory: LDAPDirectory, store: (any Store)? = nil) async throws -> Harness {
        let harness = try await Harness(directory: directory, store: store)
        _ = try await DirectorySync(store: harness.store, directory: directory, clock: harness.clock, outbox: harness.queue, reportLinks: .testing(store: harness.store, clock: harness.clock, outbox: harness.queue)).run()
        return harness
    }

    /// Passes the email gate of a reset started for `userID`.
    func verifyByEmail(_ userID: String, browser: Browser, harness: Harness) async throws {
        #expect(try await browser.startReset(userID).location == "/reset/verify")
        try await browser.post("/reset/option", [("option", "email")])
        try await browser.get("/reset/verify")
        try await browser.post("/reset/code", [("code", try harness.lastCode().code)])
    }

    @Test(arguments: TestDirectory.all) func aResetIsWrittenBackAfterTheDirectorysRulesAreMet(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        let harness = try await harness(target, directory: directory)
        let frank = target.user("frank")
        let chosen = "Fv8#Rk3!Qn-\(run)"
        try await harness.browse { browser in
            try await verifyByEmail(frank, browser: browser, harness: harness)
            #expect(try await browser.get("/reset/verify").location == "/reset/password")
            let short = try await browser.post("/reset/password", [("new", "Vq7#mZ2!k"), ("confirm", "Vq7#mZ2!k")])
            #expect(short.status == .unprocessableContent && short.contains("The directory refused this password: it is too short for its policy."))
            let done = try await browser.post("/reset/password", [("new", chosen), ("confirm", chosen)])
            #expect(done.contains("Your password has been reset"))
        }
        #expect(try await directory.authenticate(userID: frank, password: chosen))
        #expect(try await directory.authenticate(userID: frank, password: target.initialPassword("frank")) == false)
        try await harness.browse { browser in
            let location = try await browser.signIn(frank, password: chosen)
            #expect(location != nil && location != "/signin")
            // A change, then back to the password before it: the directory's history refuses it, in its words.
            try await browser.get("/account/password")
            let next = "Wq4#Zt9!Lm-\(run)"
            #expect(try await browser.post("/account/password", [("current", chosen), ("new", next), ("confirm", next)]).status == .ok)
            try await browser.get("/account/password")
            let refused = try await browser.post("/account/password", [("current", next), ("new", chosen), ("confirm", chosen)])
            #expect(refused.contains("The directory refused this password: you have used it recently."))
        }
        let events = try await harness.store.auditEvents(ActivityQuery())
        #expect(events.contains { $0.activity == .selfServiceResetPassword && $0.status == .failure && $0.failureReason == "ADPasswordPolicy (33008)" })
        #expect(events.contains { $0.activity == .selfServiceResetPassword && $0.status == .success && $0.target == frank })
        #expect(try await harness.store.resetActivities(ActivityQuery()).first?.result == .succeeded)
    }

    @Test(arguments: TestDirectory.all) func aUserLockedInTheDirectoryMayUnlockOnly(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        let harness = try await harness(target, directory: directory)
        let grace = target.user("grace")
        for _ in 0..<3 { _ = try await directory.authenticate(userID: grace, password: "wrong-password") }
        #expect(try await directory.isLocked(userID: grace))
        try await harness.browse { browser in
            try await browser.get("/signin")
            // The directory's lockout is not told to someone who has not proved the password: it would tell that the
            // account exists (docs/security.md#directory-lockout). The answer is an unknown ID's.
            let locked = try await browser.post("/signin", [("userID", grace), ("password", target.initialPassword("grace"))])
            let unknown = try await browser.post("/signin", [("userID", "nobody-\(run)"), ("password", target.initialPassword("grace"))])
            #expect(locked.status == .unauthorized && locked.contains("Your account or password is incorrect."))
            #expect(unknown.status == .unauthorized && unknown.contains("Your account or password is incorrect."))
            try await verifyByEmail(grace, browser: browser, harness: harness)
            #expect(try await browser.get("/reset/password").contains("/reset/unlock"))
            #expect(try await browser.post("/reset/unlock", []).contains("Your account has been unlocked"))
        }
        #expect(try await directory.isLocked(userID: grace) == false)
        #expect(try await directory.authenticate(userID: grace, password: target.initialPassword("grace")))
        #expect(try await harness.store.auditEvents(ActivityQuery()).first?.activity == .selfServiceUnlock)
    }

    @Test(arguments: TestDirectory.all) func anAdministratorSeesADirectoryLockAndLiftsIt(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        let harness = try await harness(target, directory: directory)
        try await harness.addUser(roles: [.globalAdmin])
        let grace = target.user("grace")
        let page = "/admin/users/" + grace.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        for _ in 0..<3 { _ = try await directory.authenticate(userID: grace, password: "wrong-password") }
        try await harness.browse { browser in
            try await browser.signIn()
            let locked = try await browser.get(page)
            #expect(locked.body.contains("<dt>Sign-in locked until</dt><dd>Locked in the directory</dd>") && locked.body.contains("/unlock\""))
            #expect(try await browser.post(page + "/unlock", []).location?.hasSuffix("done=unlocked") == true)
            let unlocked = try await browser.get(page)
            #expect(unlocked.body.contains("<dt>Sign-in locked until</dt><dd>No</dd>") && !unlocked.body.contains("/unlock\""))
        }
        #expect(try await directory.authenticate(userID: grace, password: target.initialPassword("grace")))
    }

    @Test(arguments: TestDirectory.all) func changeAndSignInAnswerWithTheDirectorysWords(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        let harness = try await harness(target, directory: directory)
        let (carol, erin, dave) = (target.user("carol"), target.user("erin"), target.user("dave"))
        // As if the last sync came before dave was disabled: the directory has the last word at sign-in.
        var enabled = try #require(try await harness.store.user(userID: dave))
        #expect(enabled.enabled == false, "sync copies the directory's disabled flag")
        enabled.enabled = true
        try await harness.store.updateUser(enabled)
        try await harness.browse { browser in
            #expect(try await browser.signIn(carol, password: target.initialPassword("carol"), language: "fr") != "/signin")
            try await browser.get("/account/password")
            let young = try await browser.post("/account/password", [("current", target.initialPassword("carol")), ("new", "Kp7#Wm2!Xr-\(run)"), ("confirm", "Kp7#Wm2!Xr-\(run)")])
            #expect(young.contains("L’annuaire a refusé le changement : votre mot de passe a été changé trop récemment."))
            let wrong = try await browser.post("/account/password", [("current", "Not!Her-Pass-1"), ("new", "Kp7#Wm2!Xr-\(run)"), ("confirm", "Kp7#Wm2!Xr-\(run)")])
            #expect(wrong.contains("Votre mot de passe actuel est incorrect."))
        }
        try await harness.browse { browser in
            try await browser.signIn(erin, password: target.initialPassword("erin"))
            try await browser.get("/account/password")
            let refused = try await browser.post("/account/password", [("current", target.initialPassword("erin")), ("new", "Tz5%Qn8!Hv-\(run)"), ("confirm", "Tz5%Qn8!Hv-\(run)")])
            #expect(refused.contains("The directory does not allow you to change your own password."))
            try await browser.get("/signin")
            let disabled = try await browser.post("/signin", [("userID", dave), ("password", target.initialPassword("dave"))])
            #expect(disabled.status == .unauthorized && disabled.contains("Your account or password is incorrect."))
        }
        let reasons = try await harness.store.auditEvents(ActivityQuery()).filter { $0.activity == .changePassword }.compactMap(\.failureReason)
        #expect(Set(reasons) == ["ADPasswordPolicy (33008)", "ADUserIncorrectPassword (33007)", "ADPermissions (33004)"])
        #expect(try await directory.authenticate(userID: carol, password: target.initialPassword("carol")))
    }

    /// A passkey makes no bind: the directory is asked whether the account is still open, and a disabled one is
    /// refused though Sesame's copy says enabled; an open one signs in, its password untouched
    /// (docs/behaviour.md#passkeys).
    @Test(arguments: TestDirectory.all) func aPasskeySignsInADirectoryUserUnlessTheDirectoryDisabledThem(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        let harness = try await harness(target, directory: directory)
        try await harness.setPolicy(.methods, "email,passkey")
        let dave = target.user("dave")
        var enabled = try #require(try await harness.store.user(userID: dave))
        enabled.enabled = true
        try await harness.store.updateUser(enabled)
        let authenticator = try await PasskeyPortalTests.passkey(of: enabled, in: harness)
        try await harness.browse { browser in
            var authenticator = authenticator
            let form = try await browser.get("/signin")
            let refused = try await browser.post("/signin/passkey", try PasskeyPortalTests.assertion(&authenticator, for: form))
            #expect(refused.status == .unauthorized && refused.contains("That passkey was not accepted."))
            #expect(try await browser.get("/account").location == "/signin")
        }
        let carol = try #require(try await harness.store.user(userID: target.user("carol")))
        let carols = try await PasskeyPortalTests.passkey(of: carol, in: harness)
        try await harness.browse { browser in
            var authenticator = carols
            let form = try await browser.get("/signin")
            let signedIn = try await browser.post("/signin/passkey", try PasskeyPortalTests.assertion(&authenticator, for: form))
            #expect(signedIn.status == .seeOther && signedIn.location != "/signin")
            #expect(try await browser.get("/account").status == .ok)
        }
        #expect(try await directory.authenticate(userID: carol.userID, password: target.initialPassword("carol")))
    }

    /// An administrator knows the password they set: the user must replace it at the next sign-in, and Active
    /// Directory is told so too (`pwdLastSet=0`), so that it refuses the user's own bind, here or anywhere, until then.
    /// The change goes through all the same (docs/behaviour.md#administrator-set-passwords).
    @Test(arguments: TestDirectory.all) func anAdministratorsPasswordIsReplacedAtTheNextSignIn(_ target: TestDirectory) async throws {
        let directory = try target.directory()
        let harness = try await harness(target, directory: directory)
        let judy = target.user("judy")
        let (given, chosen) = ("Gz6#Pd4!Wx-\(run)", "Mb3#Kq8!Ty-\(run)")
        try await harness.administration.resetPassword(userID: judy, to: given, actor: "cli")
        if target.kind == .activeDirectory {
            #expect(try await directory.accountState(userID: judy).passwordChanged == "0")
            await #expect(throws: WritebackError.passwordMustChange) { try await directory.authenticate(userID: judy, password: given) }
            // Only the right password hears it: a wrong one is wrong, whatever the mark.
            #expect(try await directory.authenticate(userID: judy, password: "Not!Her-Pass-9") == false)
            // The directory's mark alone sends the user to the change, as one an Active Directory administrator set would.
            var unmarked = try #require(try await harness.store.user(userID: judy))
            unmarked.passwordChangeRequired = false
            try await harness.store.updateUser(unmarked)
        }
        try await harness.browse { browser in
            #expect(try await browser.signIn(judy, password: given) == "/signin/expired")
            #expect(try await browser.get("/account").location == "/signin")
            #expect(try await browser.get("/signin/expired").contains("An administrator set your password."))
            let done = try await browser.post("/signin/expired", [("current", given), ("new", chosen), ("confirm", chosen)])
            #expect(done.status == .seeOther && done.location != "/signin/expired")
            // The session that made the change goes on.
            #expect(try await browser.get("/account").status == .ok)
        }
        #expect(try await directory.authenticate(userID: judy, password: chosen))
        #expect(try await directory.authenticate(userID: judy, password: given) == false)
        #expect(try await directory.accountState(userID: judy).passwordChanged != "0")
        #expect(try await harness.store.user(userID: judy)?.passwordChangeRequired == false)
        try await harness.browse { browser in
            let location = try await browser.signIn(judy, password: chosen)
            #expect(location != nil && location != "/signin" && location != "/signin/expired")
        }
    }

    /// Erin may not change her own password (Windows' "User cannot change password"): the service account's change
    /// for her is refused as hers is, so an administrator's mark cannot be used to get round that right; she keeps the
    /// self-service reset (docs/behaviour.md#administrator-set-passwords).
    @Test func theChangeForAMarkedUserKeepsTheDirectorysRight() async throws {
        let target = TestDirectory.all[1]
        let directory = try target.directory()
        let harness = try await harness(target, directory: directory)
        let erin = target.user("erin")
        let given = "Rw5#Tj2!Kc-\(run)"
        try await harness.administration.resetPassword(userID: erin, to: given, actor: "cli")
        try await harness.browse { browser in
            #expect(try await browser.signIn(erin, password: given) == "/signin/expired")
            try await browser.get("/signin/expired")
            let refused = try await browser.post("/signin/expired", [("current", given), ("new", "Hq3#Vm8!Ld-\(run)"), ("confirm", "Hq3#Vm8!Ld-\(run)")])
            #expect(refused.contains("The directory does not allow you to change your own password."))
        }
        await #expect(throws: WritebackError.passwordMustChange) { try await directory.authenticate(userID: erin, password: given) }
        // A password the user chose, by a reset, is set without the mark; erin's own, as the other tests know it.
        try await directory.resetPassword(userID: erin, new: target.initialPassword("erin"), mustChange: false)
        #expect(try await directory.authenticate(userID: erin, password: target.initialPassword("erin")))
        #expect(try await directory.accountState(userID: erin).passwordChanged != "0")
    }

    @Test func anUnreachableDirectoryStopsTheResetBeforeTheGates() async throws {
        let unreachable = try TestDirectory.all[0].directory { $0.url = "ldap://127.0.0.1:1" }
        let harness = try await Harness(directory: unreachable)
        var user = User(userID: "frank", source: .directory, createdAt: harness.clock.now)
        user.authentication.alternateEmail = try EmailAddress("frank@example.org")
        try await harness.store.insertUser(user)
        try await harness.browse { browser in
            let page = try await browser.startReset("frank")
            // The page an unknown user ID gets: the report (below) keeps the reason for the administrators.
            #expect(page.contains("We could not verify your account"))
            #expect(harness.outbox.messages.isEmpty)
            try await browser.get("/signin")
            let signIn = try await browser.post("/signin", [("userID", "frank"), ("password", "Frank-Pass-12")])
            #expect(signIn.status == .serviceUnavailable)
        }
        #expect(try await harness.store.resetActivities(ActivityQuery()).first?.detail == .directoryUnreachable)
    }

    @Test func withWritebackOffDirectoryUsersAreSentToTheirAdministrator() async throws {
        let target = TestDirectory.all[0]
        let harness = try await harness(target, directory: try target.directory())
        try await harness.setPolicy(.writeback, "false")
        try await harness.browse { browser in
            let page = try await browser.startReset("frank")
            #expect(page.contains("We could not verify your account"))
        }
        #expect(try await harness.store.resetActivities(ActivityQuery()).first?.detail == .managedInDirectory)
    }

    /// Before, every anonymous "Who are you?" for a directory user bound to the directory: anyone could make
    /// Sesame open one connection per request.
    @Test func resetStartsUseTheDirectorysRememberedStatus() async throws {
        let target = TestDirectory.all[0]
        let directory = CountingDirectory(base: try target.directory())
        let harness = try await Harness(directory: directory)
        _ = try await DirectorySync(store: harness.store, directory: directory, clock: harness.clock, outbox: harness.queue, reportLinks: .testing(store: harness.store, clock: harness.clock, outbox: harness.queue)).run()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 1...12 {
                group.addTask {
                    try await harness.browse { browser in
                        let page = try await browser.startReset(target.user("frank"))
                        #expect(page.location == "/reset/verify")
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(directory.statusChecks == 1)
    }
}

/// The real directory, counting how often its status is asked for.
final class CountingDirectory: Directory {
    let base: LDAPDirectory
    private let checks = Mutex(0)

    init(base: LDAPDirectory) {
        self.base = base
    }

    var statusChecks: Int { checks.withLock { $0 } }

    func status() async -> DirectoryStatus {
        checks.withLock { $0 += 1 }
        return await base.status()
    }

    func authenticate(userID: String, password: String) async throws -> Bool { try await base.authenticate(userID: userID, password: password) }
    func changePassword(userID: String, current: String, new: String) async throws { try await base.changePassword(userID: userID, current: current, new: new) }
    func resetPassword(userID: String, new: String, mustChange: Bool) async throws { try await base.resetPassword(userID: userID, new: new, mustChange: mustChange) }
    func unlock(userID: String) async throws { try await base.unlock(userID: userID) }
    func isLocked(userID: String) async throws -> Bool { try await base.isLocked(userID: userID) }
    func accountState(userID: String) async throws -> DirectoryAccountState { try await base.accountState(userID: userID) }
    func entries() async throws -> [DirectoryEntry] { try await base.entries() }
}
