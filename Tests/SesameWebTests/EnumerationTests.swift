import Foundation
import HTTPTypes
import SesameCore
import SesameTestSupport
import Synchronization
import Testing

@testable import SesameWeb

/// What an outsider who types user IDs can learn: nothing that tells an existing account from an unknown one, a
/// disabled one, one outside the reset group or one an administrator holds (docs/security.md#enumeration).
@Suite struct EnumerationTests {
    /// A page without what changes on every request: support codes, CSRF and CAPTCHA tokens, the sum's numbers.
    static func stripped(_ page: Page) -> String {
        page.body.replacing(/<code>[^<]*<\/code>/, with: "").replacing(/value="[^"]*"/, with: "")
    }

    static func cookieNames(_ page: Page) -> [String] {
        page.headers[values: .setCookie].map { String($0.prefix { $0 != "=" }) }.sorted()
    }

    /// Before, a disabled account, one outside the group and one whose password Sesame may not write each had
    /// their own page.
    @Test(arguments: ["en", "fr"])
    func everyAccountThatCannotResetLooksLikeAnUnknownOne(_ language: String) async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.group, "sspr")
        try await harness.setPolicy(.enabled, "selected")
        var member = try await harness.addUser("nomethod@contoso.com")
        member.groups = ["sspr"]
        try await harness.store.updateUser(member)
        try await harness.addUser("outsider@contoso.com", email: "outsider@example.org")
        var disabled = try await harness.addUser("gone@contoso.com", email: "gone@example.org")
        disabled.enabled = false
        disabled.groups = ["sspr"]
        try await harness.store.updateUser(disabled)
        // A directory user with no directory configured: Sesame may not write the password.
        var managed = User(userID: "carol", source: .directory, createdAt: harness.clock.now)
        managed.groups = ["sspr"]
        managed.authentication.alternateEmail = try EmailAddress("carol@example.org")
        try await harness.store.insertUser(managed)
        let seen = Mutex<[String: Page]>([:])
        for userID in ["ghost@contoso.com", "nomethod@contoso.com", "outsider@contoso.com", "gone@contoso.com", "carol"] {
            try await harness.browse { browser in
                let page = try await browser.startReset(userID, language: language)
                seen.withLock { $0[userID] = page }
            }
        }
        let pages = seen.withLock { $0 }
        let unknown = try #require(pages["ghost@contoso.com"])
        for (userID, page) in pages {
            #expect(page.status == unknown.status, "\(userID)")
            #expect(Self.stripped(page) == Self.stripped(unknown), "\(userID)")
            #expect(Self.cookieNames(page) == Self.cookieNames(unknown), "\(userID)")
        }
        // The report keeps each reason for the administrators.
        let details = Set(try await harness.store.resetActivities(ActivityQuery()).map(\.detail))
        #expect(details == [.insufficientMethods, .notInGroup, .accountDisabled, .managedInDirectory])
    }

    /// Before, an administrator's first page said "step 1 of 2" where everyone else's said "1 of 1".
    @Test func theFirstGateDoesNotTellWhoIsAnAdministrator() async throws {
        let harness = try await Harness()
        try await harness.addUser("alice@contoso.com", email: "alice@example.org", registered: true)
        try await harness.addUser("root@contoso.com", roles: [.globalAdmin], mobile: "+33 6 12 34 56 78", email: "root@example.org", registered: true)
        for userID in ["alice@contoso.com", "root@contoso.com"] {
            try await harness.browse { browser in
                try await browser.startReset(userID)
                #expect(try await browser.get("/reset/verify").contains("Verification step 1 of 1"), "\(userID)")
            }
        }
    }

    /// Before, ten wrong passwords answered "locked" for a real user and "incorrect" forever for an unknown one.
    @Test(arguments: ["alice@contoso.com", "ghost@contoso.com", "ALICE@contoso.com "])
    func signInLocksEveryUserIDAlike(_ userID: String) async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            // A repeated wrong password counts once (smart lockout), for everyone.
            for _ in 1...12 {
                let page = try await browser.trySignIn(userID, password: "the same wrong one")
                #expect(page.status == .unauthorized && page.contains("Your account or password is incorrect."))
            }
            for attempt in 2...10 {
                let page = try await browser.trySignIn(userID, password: "wrong \(attempt)")
                #expect(page.status == .unauthorized, "attempt \(attempt)")
            }
            let locked = try await browser.trySignIn(userID, password: goodPassword)
            #expect(locked.status == .forbidden && locked.contains("Your account is temporarily locked to prevent unauthorized use. Try again in 1 minute, or reset your password."))
        }
    }

    @Test func tooManyFailedSignInsFromOneNetworkAreRefusedBeforeAnyPasswordIsChecked() async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            for index in 1...30 {
                #expect(try await browser.trySignIn("user\(index)@contoso.com", password: "guess").status == .unauthorized)
            }
            let refused = try await browser.trySignIn("alice@contoso.com", password: goodPassword)
            #expect(refused.status == .tooManyRequests && refused.contains("Too many sign-ins failed from your network. Try again in 30 minutes."))
        }
    }

    /// "Contact your administrator" emails people: a link a crawler or a preloading browser follows must not send it.
    @Test func contactingTheAdministratorsIsAPost() async throws {
        let harness = try await Harness()
        try await harness.browse { browser in
            try await browser.startReset("ghost@contoso.com")
            #expect(try await browser.get("/reset/contact").status == .notFound)
            #expect(try await browser.post("/reset/contact", [], includeCSRF: false).status == .forbidden)
            #expect(try await browser.post("/reset/contact", []).contains("We have asked your administrators to reset your password."))
        }
    }
}
