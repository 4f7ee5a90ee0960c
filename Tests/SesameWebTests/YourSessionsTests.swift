import Foundation
import HTTPTypes
import SesameCore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// The account page lists the user's sessions, this one marked, and ends any or all of the others; administrators
/// sign a user out everywhere from the portal, the API and the command line (docs/behaviour.md#your-sessions).
@Suite struct YourSessionsTests {
    static let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"

    /// Signs in sending `userAgent`, as a browser would on every request.
    static func signIn(_ browser: Browser, userAgent: String, _ userID: String = "alice@contoso.com") async throws {
        try await browser.get("/signin")
        let csrf = try #require(try await browser.get("/signin").csrf)
        let body = "userID=\(userID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&password=\(goodPassword.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&_csrf=\(csrf)"
        let answer = try await browser.send(
            "/signin", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .userAgent: userAgent], body: body)
        #expect(answer.status == .seeOther, "signed in: a refusal answers the form again")
    }

    /// The public IDs of the "End" buttons on the account page.
    static func endable(_ page: Page) -> [String] {
        page.body.matches(of: /name="session" value="([^"]*)"/).map { String($0.output.1) }
    }

    @Test func theAccountPageListsTheSessionsAndEndsAnotherOne() async throws {
        let harness = try await Harness()
        try await harness.addUser(registered: true)
        try await harness.addUser("bob@contoso.com", registered: true)
        try await harness.browse { here in
            let phone = Browser(client: here.client)
            let bob = Browser(client: here.client)
            try await Self.signIn(phone, userAgent: "<b>Mozilla</b> (iPhone; like Mac OS X) Safari/604.1")
            try await Self.signIn(here, userAgent: Self.firefox)
            try await bob.signIn("bob@contoso.com")
            let page = try await here.get("/account")
            #expect(page.contains("Your sessions") && page.contains("This session"))
            #expect(page.contains("Firefox, Linux") && page.contains("Safari, iOS"))
            #expect(!page.contains("<b>Mozilla"), "nothing of the header itself")
            for key in [here.cookie("sesame_session"), phone.cookie("sesame_session")].compactMap({ $0 }) {
                #expect(!page.contains(key), "a session's key is never on a page")
                #expect(!page.contains(SessionMiddleware.digest(key)), "nor its stored digest")
            }
            let others = Self.endable(page)
            #expect(others.count == 1, "one End button: the phone's; not this session's, not Bob's")

            // Bob's session cannot be ended from Alice's page, even by its right public ID.
            let bobsKey = try #require(bob.cookie("sesame_session"))
            try await here.post("/account/sessions/end", [("session", SessionPublicID.of(key: SessionMiddleware.digest(bobsKey)))])
            #expect(try await bob.get("/account").status == .ok)

            let ended = try await here.post("/account/sessions/end", [("session", try #require(others.first))])
            #expect(ended.location == "/account?done=ended")
            #expect(try await phone.get("/account").location == "/signin", "the phone is signed out")
            let after = try await here.get("/account?done=ended")
            #expect(after.contains("That session has ended.") && Self.endable(after).isEmpty)
            #expect(try await harness.store.auditEvents(ActivityQuery()).contains { $0.activity == .userEndedSessions && $0.target == "alice@contoso.com" })
        }
    }

    @Test func endAllOtherSessionsKeepsThisOneOnly() async throws {
        let harness = try await Harness()
        try await harness.addUser(registered: true)
        try await harness.browse { here in
            let others = [Browser(client: here.client), Browser(client: here.client)]
            for other in others { try await other.signIn() }
            try await here.signIn()
            let french = try await here.get("/account?lang=fr")
            #expect(french.contains("Vos sessions") && french.contains("Terminer toutes les autres sessions"))
            #expect(Self.endable(french).count == 2)
            let ended = try await here.post("/account/sessions/end-others", [])
            #expect(ended.location == "/account?done=endedOthers")
            for other in others { #expect(try await other.get("/account").location == "/signin") }
            #expect(try await here.get("/account").status == .ok, "this session stays")
        }
    }

    @Test func thisSessionIsNotEndedFromTheList() async throws {
        let harness = try await Harness()
        try await harness.addUser(registered: true)
        try await harness.browse { here in
            try await here.signIn()
            try await here.get("/account")
            let key = try #require(here.cookie("sesame_session"))
            try await here.post("/account/sessions/end", [("session", SessionPublicID.of(key: SessionMiddleware.digest(key)))])
            #expect(try await here.get("/account").status == .ok)
        }
    }

    @Test func anAdministratorSignsAUserOutFromThePortalTheAPIAndTheCommandLine() async throws {
        let harness = try await Harness()
        try await harness.addUser("admin@contoso.com", roles: [.helpdeskAdmin], registered: true)
        try await harness.addUser(registered: true)
        let token = try await TokenService(store: harness.store, clock: harness.clock, random: SystemRandomSource()).create(name: "t", actor: "cli")
        try await harness.browse { alice in
            let admin = Browser(client: alice.client)
            try await admin.signIn("admin@contoso.com")
            let page = try await admin.get("/admin/users/alice%40contoso.com")
            #expect(page.contains("Sign out everywhere"))

            try await alice.signIn()
            let done = try await admin.post("/admin/users/alice%40contoso.com/sign-out", [])
            #expect(done.location?.hasSuffix("done=signedOut") == true)
            #expect(try await alice.get("/account").location == "/signin", "portal")
            #expect(try await admin.get("/admin/users/alice%40contoso.com?done=signedOut").contains("The user is signed out of every session."))

            try await alice.signIn()
            let second = Browser(client: alice.client)
            try await second.signIn()
            let answer = try await alice.send(
                "/api/v1/users/alice%40contoso.com/sessions", method: .delete, headers: [.authorization: "Bearer \(token)"], body: nil)
            #expect(answer.status == .ok && answer.body.filter { !$0.isWhitespace }.contains(#""ended":2"#))
            #expect(try await alice.get("/account").location == "/signin", "API")

            try await alice.signIn()
            // What `sesame user signout` runs.
            #expect(try await harness.administration.endSessions(userID: "alice@contoso.com", actor: "cli") == 1)
            #expect(try await alice.get("/account").location == "/signin", "command line")
            #expect(try await admin.get("/admin/users").status == .ok, "the administrator's own session is untouched")
            let events = try await harness.store.auditEvents(ActivityQuery()).filter { $0.activity == .adminEndedSessions }
            #expect(events.count == 3 && events.contains { $0.actor == "admin@contoso.com" } && events.contains { $0.actor == "cli" })
            #expect(events.contains { $0.detail == "2 session(s)" })
        }
    }
}
