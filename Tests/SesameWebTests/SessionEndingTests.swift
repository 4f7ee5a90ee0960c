import Foundation
import HTTPTypes
import SesameCore
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// A user's sessions end when what they signed in with, or what they may do, changes: a reset (self-service, or an
/// administrator's from the portal, the API or the command line), a change of password (but for the session that
/// made it), disabling the account, and a change of roles. Sign-in always starts a session under a fresh key.
@Suite struct SessionEndingTests {
    static let newPassword = "Yt7$Mx3!Ps9j"

    /// Whether `browser` is still signed in: the account page answers instead of sending it to sign in.
    static func signedIn(_ browser: Browser) async throws -> Bool {
        try await browser.get("/account").status == .ok
    }

    @Test func aSelfServiceResetEndsEverySessionOfTheUser() async throws {
        let harness = try await Harness()
        try await harness.addUser(mobile: "+33 6 12 34 56 78", registered: true)
        try await harness.browse { thief in
            try await thief.signIn()
            #expect(try await Self.signedIn(thief))
            let owner = Browser(client: thief.client)
            try await owner.startReset("alice@contoso.com")
            try await owner.post("/reset/option", [("option", "mobileSMS")])
            try await owner.post("/reset/phone", [("number", "06 12 34 56 78")])
            try await owner.get("/reset/verify")
            try await owner.post("/reset/code", [("code", try harness.lastCode().code)])
            try await owner.get("/reset/password")
            let done = try await owner.post("/reset/password", [("new", Self.newPassword), ("confirm", Self.newPassword)])
            #expect(done.contains("Your password has been reset"))
            #expect(try await !Self.signedIn(thief), "the session signed in with the old password ended with the reset")
        }
    }

    @Test func anAdministratorsResetEndsEverySessionFromThePortalTheAPIAndTheCommandLine() async throws {
        let harness = try await Harness()
        try await harness.addUser("admin@contoso.com", roles: [.globalAdmin], registered: true)
        try await harness.addUser(registered: true)
        let token = try await TokenService(store: harness.store, clock: harness.clock, random: SystemRandomSource()).create(name: "t", actor: "cli")
        try await harness.browse { alice in
            let admin = Browser(client: alice.client)
            try await admin.signIn("admin@contoso.com")
            try await admin.get("/admin/users/alice%40contoso.com")

            try await alice.signIn()
            let reset = try await admin.post("/admin/users/alice%40contoso.com/reset-password", [("new", Self.newPassword), ("confirm", Self.newPassword)])
            #expect(reset.location?.hasSuffix("done=reset") == true)
            #expect(try await !Self.signedIn(alice), "portal")

            // Each administrator's password must be changed first (docs/behaviour.md#administrator-set-passwords).
            #expect(try await alice.signIn(password: Self.newPassword) == "/signin/expired", "portal")
            try await alice.get("/signin/expired")
            try await alice.post("/signin/expired", [("current", Self.newPassword), ("new", "Lm3^Kp8&Zx5d"), ("confirm", "Lm3^Kp8&Zx5d")])
            #expect(try await Self.signedIn(alice))
            let patched = try await alice.send(
                "/api/v1/users/alice%40contoso.com", method: .patch,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: #"{"password": "Qw9!Er4$Ty7u"}"#)
            #expect(patched.status == .ok)
            #expect(try await !Self.signedIn(alice), "API")

            #expect(try await alice.signIn(password: "Qw9!Er4$Ty7u") == "/signin/expired", "API")
            try await alice.get("/signin/expired")
            try await alice.post("/signin/expired", [("current", "Qw9!Er4$Ty7u"), ("new", "Bn6*Wd2#Hj9q"), ("confirm", "Bn6*Wd2#Hj9q")])
            #expect(try await Self.signedIn(alice))
            // What `sesame user reset-password` runs.
            try await harness.administration.resetPassword(userID: "alice@contoso.com", to: Self.newPassword, actor: "cli")
            #expect(try await !Self.signedIn(alice), "command line")
            #expect(try await harness.store.user(userID: "alice@contoso.com")?.passwordChangeRequired == true, "command line")
            #expect(try await admin.get("/admin/users").status == .ok, "the administrator's own session is untouched")
        }
    }

    @Test func aChangeOfPasswordKeepsOnlyTheSessionThatMadeIt() async throws {
        let harness = try await Harness()
        try await harness.addUser(registered: true)
        try await harness.browse { here in
            let elsewhere = Browser(client: here.client)
            try await elsewhere.signIn()
            try await here.signIn()
            try await here.get("/account/password")
            let changed = try await here.post("/account/password", [("current", goodPassword), ("new", Self.newPassword), ("confirm", Self.newPassword)])
            #expect(changed.status == .ok)
            #expect(try await Self.signedIn(here), "the session that changed it stays")
            #expect(try await !Self.signedIn(elsewhere), "every other session ends")
        }
    }

    @Test func disablingOrAChangeOfRolesEndsEverySession() async throws {
        let harness = try await Harness()
        try await harness.addUser("admin@contoso.com", roles: [.globalAdmin], registered: true)
        try await harness.addUser(registered: true)
        try await harness.browse { alice in
            let admin = Browser(client: alice.client)
            try await admin.signIn("admin@contoso.com")
            try await admin.get("/admin/users/alice%40contoso.com")

            try await alice.signIn()
            try await admin.post("/admin/users/alice%40contoso.com", [("enabled", "false")])
            try await admin.post("/admin/users/alice%40contoso.com", [("enabled", "true")])
            #expect(try await harness.store.user(userID: "alice@contoso.com")?.enabled == true)
            #expect(try await !Self.signedIn(alice), "disabled, then enabled again: the session does not come back")

            try await alice.signIn()
            try await admin.post("/admin/users/alice%40contoso.com", [("enabled", "true"), ("roles", "helpdeskAdmin")])
            #expect(try await !Self.signedIn(alice), "roles changed")

            try await alice.signIn()
            try await admin.post("/admin/users/alice%40contoso.com", [("enabled", "true"), ("roles", "helpdeskAdmin"), ("displayName", "Alice M.")])
            #expect(try await Self.signedIn(alice), "a change of name alone leaves sessions be")
        }
    }

    @Test func aSessionEndedWhileItsOwnRequestRunsIsNotSavedBack() async throws {
        let harness = try await Harness()
        try await harness.addUser("admin@contoso.com", roles: [.globalAdmin], registered: true)
        try await harness.browse { admin in
            try await admin.signIn("admin@contoso.com")
            try await admin.get("/admin/users/admin%40contoso.com")
            // Past a quarter of its lifetime, the session is saved again at the end of whatever request it makes.
            harness.clock.advance(by: SessionMiddleware.lifetime / 4 + 60)
            let reset = try await admin.post("/admin/users/admin%40contoso.com/reset-password", [("new", Self.newPassword), ("confirm", Self.newPassword)])
            #expect(reset.status == .seeOther)
            #expect(try await admin.get("/admin/users").location == "/signin", "the reset ended it, and the request's own save did not bring it back")
        }
    }

    @Test func signInAlwaysStartsASessionUnderAFreshKey() async throws {
        let harness = try await Harness()
        try await harness.addUser(registered: true)
        try await harness.browse { browser in
            try await browser.get("/signin")
            let before = try #require(browser.cookie(SessionMiddleware.cookieName))
            try await browser.signIn()
            let after = try #require(browser.cookie(SessionMiddleware.cookieName))
            #expect(before != after)
            #expect(try await harness.store.session(key: SessionMiddleware.digest(before), now: harness.clock.now) == nil, "the key planted before sign-in is gone")
            // Signing in again, say after a reset, never takes the signed-in session's key either.
            try await browser.signIn()
            let again = try #require(browser.cookie(SessionMiddleware.cookieName))
            #expect(again != after && again != before)
            #expect(try await harness.store.session(key: SessionMiddleware.digest(after), now: harness.clock.now) == nil)
        }
    }
}
