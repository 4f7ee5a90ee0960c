import Foundation
import HTTPTypes
import SesameCore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// A signed-in session ends eight hours after sign-in, one hour for anyone holding a role, however busy it is; the
/// next request finds the sign-in page and a message why (docs/security.md#sessions). The clock is the harness's.
@Suite struct AbsoluteSessionLifetimeTests {
    /// Keeps the session busy for `minutes`, a page every 10 minutes, so that the idle timeout never ends it.
    static func keepBusy(_ browser: Browser, _ harness: Harness, minutes: Int) async throws {
        for _ in 0..<(minutes / 10) {
            harness.clock.advance(by: 600)
            #expect(try await browser.get("/account").status == .ok, "still signed in at this point")
        }
    }

    @Test func aUsersSessionEndsEightHoursAfterSignInWhateverItsUse() async throws {
        let harness = try await Harness()
        try await harness.addUser(registered: true)
        try await harness.browse { browser in
            try await browser.signIn()
            try await Self.keepBusy(browser, harness, minutes: 470)
            harness.clock.advance(by: 11 * 60)
            let ended = try await browser.get("/account")
            #expect(ended.status == .seeOther && ended.location == "/signin?ended=lifetime")
            let signIn = try await browser.get("/signin?ended=lifetime")
            #expect(signIn.contains("Your session ended; sign in again."))
            #expect(try await browser.get("/account").location == "/signin", "signed out for good, not only redirected once")
            try await browser.signIn()
            #expect(try await browser.get("/account").status == .ok, "a new sign-in starts a new lifetime")
        }
    }

    @Test func anAdministratorsSessionEndsAnHourAfterSignIn() async throws {
        let harness = try await Harness()
        try await harness.addUser("admin@contoso.com", roles: [.helpdeskAdmin], registered: true)
        try await harness.browse { browser in
            try await browser.signIn("admin@contoso.com")
            try await Self.keepBusy(browser, harness, minutes: 50)
            harness.clock.advance(by: 11 * 60)
            #expect(try await browser.get("/admin/users").location == "/signin?ended=lifetime")
            let french = try await browser.get("/signin?ended=lifetime&lang=fr")
            #expect(french.contains("Votre session a pris fin ; reconnectez-vous."))
        }
    }

    @Test func theLifetimeEndsThePostThatComesTooLateAsWell() async throws {
        let harness = try await Harness()
        try await harness.addUser(registered: true)
        try await harness.browse { browser in
            try await browser.signIn()
            try await Self.keepBusy(browser, harness, minutes: 470)
            harness.clock.advance(by: 10 * 60)
            let late = try await browser.post("/account/sessions/end-others", [])
            #expect(late.location == "/signin?ended=lifetime")
        }
    }

    @Test func aSessionWithNoEndIsTakenAsEnded() {
        var session = WebSession(csrfToken: "t")
        #expect(!session.outlived(at: t0), "a signed-out session has no lifetime to outlive")
        session.userID = UUID()
        #expect(session.outlived(at: t0), "signed in by an older version, which set no end")
        session.endsAt = t0.addingTimeInterval(1)
        #expect(!session.outlived(at: t0))
        #expect(session.outlived(at: t0.addingTimeInterval(1)))
    }

    @Test(arguments: [
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox, Linux"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge, Windows"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari, iOS"),
        ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome, Android"),
        ("<script>alert(1)</script>", nil),
    ] as [(String, String?)])
    func aDeviceIsNamedFromAFixedVocabulary(_ userAgent: String, _ expected: String?) {
        #expect(DeviceSummary.of(userAgent) == expected)
    }
}
