import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

@Suite struct SignInTests {
    @Test func pagesCarryStrictSecurityHeadersAndSafeCookies() async throws {
        let harness = try await Harness()
        try await harness.browse { browser in
            let page = try await browser.get("/signin")
            #expect(page.status == .ok)
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            #expect(page.headers[.cacheControl] == "no-store")
            let cookie = try #require(page.headers[values: .setCookie].first { $0.hasPrefix("sesame_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"))
            #expect(page.contains("href=\"/reset\">Can't access your account?</a>"))
        }
    }

    /// A directory's sign-in name is often no email address (OpenLDAP's `uid`: `alice`): before, both forms asked
    /// for `type="email"`, and a browser refused to send `alice` at all.
    @Test(arguments: ["/signin", "/reset"])
    func theUserIDFieldTakesAnySignInName(_ path: String) async throws {
        let harness = try await Harness()
        try await harness.browse { browser in
            let page = try await browser.get(path)
            #expect(page.contains("<input type=\"text\" id=\"userID\" name=\"userID\""))
            #expect(!page.contains("type=\"email\""))
        }
    }

    @Test(arguments: [("en", "Your account or password is incorrect."), ("fr", "Votre compte ou votre mot de passe est incorrect.")])
    func wrongPasswordAndUnknownUserLookTheSame(_ language: String, _ message: String) async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.get("/signin?lang=\(language)")
            let wrong = try await browser.post("/signin", [("userID", "alice@contoso.com"), ("password", "nope")])
            let unknown = try await browser.post("/signin", [("userID", "nobody@contoso.com"), ("password", "nope")])
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized)
            #expect(wrong.contains(message) && unknown.contains(message))
            // The passkey form's challenge is new on every page.
            let same = { (page: Page, userID: String) in
                page.body.replacingOccurrences(of: userID, with: "X").replacingOccurrences(of: page.csrf ?? "", with: "")
                    .replacing(/data-options="[^"]*"/, with: "")
            }
            #expect(same(wrong, "alice@contoso.com") == same(unknown, "nobody@contoso.com"))
        }
    }

    /// Three wrong passwords from one network: the form then asks the reset portal's CAPTCHA, and without its answer
    /// the password is not checked (docs/security.md#sign-in-captcha).
    @Test(arguments: [("en", "We could not check that you are a person."), ("fr", "Nous n’avons pas pu vérifier que vous êtes une personne.")])
    func aFewFailuresBringTheCaptcha(_ language: String, _ message: String) async throws {
        let harness = try await Harness()
        try await harness.addUser(mobile: "+33 6 12 34 56 78", registered: true)
        try await harness.browse { browser in
            #expect(try await !browser.get("/signin?lang=\(language)").contains("name=\"captcha\""))
            for index in 1...3 {
                #expect(try await browser.post("/signin", [("userID", "alice@contoso.com"), ("password", "nope \(index)")]).status == .unauthorized)
            }
            let asked = try await browser.get("/signin")
            #expect(asked.contains("name=\"captcha\"") && asked.contains("data-captcha="))
            let missing = try await browser.post("/signin", [("userID", "alice@contoso.com"), ("password", goodPassword)])
            #expect(missing.status == .unprocessableContent && missing.contains(message) && missing.contains("name=\"captcha\""))
            let solved = try #require(Browser.solvedCaptcha(missing))
            #expect(try await browser.post("/signin", [("userID", "alice@contoso.com"), ("password", goodPassword)] + solved).location != nil)
        }
    }

    @Test func successSignsInAndRotatesTheSession() async throws {
        let harness = try await Harness()
        try await harness.addUser(mobile: "+33 6 12 34 56 78", registered: true)
        try await harness.browse { browser in
            try await browser.get("/signin")
            let before = browser.cookie("sesame_session")
            let location = try await browser.signIn()
            #expect(location == "/account")
            #expect(browser.cookie("sesame_session") != before, "a new session key after sign-in")
            let account = try await browser.get("/account")
            #expect(account.status == .ok && account.contains("Alice Martin") && account.contains("Sign out"))
            try await browser.post("/signout", [])
            #expect(try await browser.get("/account").location == "/signin")
        }
    }

    @Test(arguments: [
        ("en", "Your account is temporarily locked to prevent unauthorized use. Try again in 1 minute, or reset your password."),
        ("fr", "Votre compte est temporairement verrouillé pour empêcher toute utilisation non autorisée. Réessayez dans 1 minute ou réinitialisez votre mot de passe."),
    ])
    func lockoutAfterTenDifferentWrongPasswords(_ language: String, _ message: String) async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            // Repeating one wrong password does not count again (smart lockout).
            for _ in 1...15 { try await browser.trySignIn("alice@contoso.com", password: "same-wrong", language: language) }
            for attempt in 1...9 { try await browser.trySignIn("alice@contoso.com", password: "wrong\(attempt)", language: language) }
            let locked = try await browser.trySignIn("alice@contoso.com", password: goodPassword, language: language)
            #expect(locked.status == .forbidden)
            #expect(locked.contains(message))
            harness.clock.advance(by: 61)
            #expect(try await browser.trySignIn("alice@contoso.com", password: goodPassword).status == .seeOther)
        }
    }

    @Test func formsWithoutTheCSRFTokenAreRefused() async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.get("/signin?lang=fr")
            let forged = try await browser.post("/signin", [("userID", "alice@contoso.com"), ("password", goodPassword)], csrf: "forged")
            #expect(forged.status == .forbidden)
            #expect(forged.contains("Cette page a expiré ou le formulaire a été envoyé deux fois."))
            #expect(forged.contains("Code d’assistance"))
            let missing = try await browser.post("/signin", [("userID", "alice@contoso.com"), ("password", goodPassword)], includeCSRF: false)
            #expect(missing.status == .forbidden)
        }
    }

    @Test func oversizedFormsAreRefusedPlainly() async throws {
        let harness = try await Harness()
        try await harness.browse { browser in
            try await browser.get("/signin")
            let huge = try await browser.post("/signin", [("userID", String(repeating: "a", count: 200_000)), ("password", "x")])
            #expect(huge.status == .contentTooLarge)
            #expect(huge.contains("What you sent is too large."))
        }
    }

    @Test func languageFromQueryCookieAndHeader() async throws {
        let harness = try await Harness()
        try await harness.browse { browser in
            #expect(try await browser.get("/signin", headers: [.acceptLanguage: "fr-CA,fr;q=0.9,en;q=0.5"]).contains("Se connecter"))
            #expect(try await browser.get("/signin", headers: [.acceptLanguage: "tlh, en;q=0.5"]).contains(">Sign in<"))
            #expect(try await browser.get("/signin", headers: [.acceptLanguage: "de-AT, en;q=0.5"]).contains("<html lang=\"de\" dir=\"ltr\">"))
            try await browser.get("/signin?lang=fr")
            #expect(browser.cookie("sesame_lang") == "fr")
            let remembered = try await browser.get("/signin", headers: [.acceptLanguage: "en"])
            #expect(remembered.contains("<html lang=\"fr\" dir=\"ltr\">") && remembered.contains("Vous ne parvenez pas à accéder à votre compte ?"))
            try await browser.get("/signin?lang=pt-br")
            #expect(browser.cookie("sesame_lang") == "pt-BR", "a tag in any case is remembered as Sesame writes it")
        }
    }

    /// Without a choice or a browser language Sesame speaks, the organisation's `defaultLanguage`; right to left for
    /// Arabic and Hebrew, with the language menu listing every language in its own name (docs/localization.md).
    @Test func theOrganisationsDefaultLanguageAndRightToLeft() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.defaultLanguage, "ar")
        try await harness.browse { browser in
            let arabic = try await browser.get("/reset", headers: [.acceptLanguage: "tlh"])
            #expect(arabic.contains("<html lang=\"ar\" dir=\"rtl\">"))
            #expect(arabic.contains("<h1>\(WebCatalogue.text("reset.title", in: .arabic))</h1>"))
            for language in Language.allCases {
                #expect(arabic.contains("<a href=\"?lang=\(language.rawValue)\" lang=\"\(language.rawValue)\" hreflang=\"\(language.rawValue)\" dir=\"\(language.direction)\""))
            }
            #expect(try await browser.get("/reset", headers: [.acceptLanguage: "he-IL"]).contains("<html lang=\"he\" dir=\"rtl\">"))
            #expect(try await browser.get("/reset", headers: [.acceptLanguage: "ja"]).contains("<html lang=\"ja\" dir=\"ltr\">"))
        }
    }

    @Test(arguments: [
        ("en", "Your administrator has required you to verify your contact information", "Verify now", "Cancel",
         "It has been a while since you confirmed your contact information."),
        ("fr", "Votre administrateur vous demande de vérifier vos informations de contact", "Vérifier maintenant", "Annuler",
         "Vous n’avez pas confirmé vos informations de contact depuis longtemps."),
    ])
    func forcedRegistrationAndReconfirmationInterrupts(
        _ language: String, _ register: String, _ verifyNow: String, _ cancel: String, _ reconfirm: String
    ) async throws {
        let harness = try await Harness()
        try await harness.addUser(mobile: "+33 6 12 34 56 78")
        try await harness.browse { browser in
            #expect(try await browser.signIn(language: language) == "/signin/interrupt?kind=register")
            let interrupt = try await browser.get("/signin/interrupt?kind=register")
            #expect(interrupt.contains(register))
            #expect(interrupt.contains("href=\"/register\">\(verifyNow)</a>") && interrupt.contains("href=\"/account\">\(cancel)</a>"))
        }
        let registered = try await harness.addUser("bob@contoso.com", mobile: "+33 6 12 34 56 79", registered: true)
        harness.clock.advance(by: 181 * 86_400)
        try await harness.browse { browser in
            let location = try await browser.signIn(registered.userID, language: language)
            #expect(location == "/signin/interrupt?kind=reconfirm")
            let page = try await browser.get("/signin/interrupt?kind=reconfirm")
            #expect(page.contains(reconfirm))
        }
        try await harness.setPolicy(.requireRegistration, "false")
        try await harness.browse { browser in
            let location = try await browser.signIn()
            #expect(location == "/account")
        }
    }

    @Test(arguments: [
        ("en", "Your password expires in 10 days.", "Your password has expired", "Your current password is incorrect.",
         "Your new password must be different from your current one."),
        ("fr", "Votre mot de passe expire dans 10 jours.", "Votre mot de passe a expiré", "Votre mot de passe actuel est incorrect.",
         "Votre nouveau mot de passe doit être différent de l’actuel."),
    ])
    func expiredPasswordsMustBeChangedFirst(
        _ language: String, _ notice: String, _ expiredTitle: String, _ wrongCurrent: String, _ sameText: String
    ) async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.passwordExpiryDays, "30")
        try await harness.addUser(mobile: "+33 6 12 34 56 78", registered: true)
        harness.clock.advance(by: 20 * 86_400)
        try await harness.browse { browser in
            try await browser.signIn(language: language)
            #expect(try await browser.get("/account").contains(notice))
        }
        harness.clock.advance(by: 11 * 86_400)
        try await harness.browse { browser in
            #expect(try await browser.signIn(language: language) == "/signin/expired")
            // No signed-in page until the password is replaced: each sends to sign-in, which sends on to the change.
            for path in ["/account", "/register", "/account/password", "/admin/policy"] {
                #expect(try await browser.get(path).location == "/signin", "\(path)")
            }
            #expect(try await browser.get("/signin").location == "/signin/expired")
            #expect(try await browser.get("/signin/expired").contains(expiredTitle))
            let wrong = try await browser.post("/signin/expired", [("current", "nope"), ("new", "Yt7$Mx3!Ps9j"), ("confirm", "Yt7$Mx3!Ps9j")])
            #expect(wrong.status == .unprocessableContent && wrong.contains(wrongCurrent))
            let same = try await browser.post("/signin/expired", [("current", goodPassword), ("new", goodPassword), ("confirm", goodPassword)])
            #expect(same.contains(sameText))
            let banned = try await browser.post("/signin/expired", [("current", goodPassword), ("new", "Password123!"), ("confirm", "Password123!")])
            #expect(banned.status == .unprocessableContent)
            let done = try await browser.post("/signin/expired", [("current", goodPassword), ("new", "Yt7$Mx3!Ps9j"), ("confirm", "Yt7$Mx3!Ps9j")])
            #expect(done.location == "/account")
            #expect(try await browser.get("/account").status == .ok)
        }
        let changes = try await harness.store.auditEvents(ActivityQuery()).filter { $0.activity == .changePassword }
        #expect(changes.first?.status == .success && changes.count == 2, "one refused (wrong current password), one done")
    }
}

@Suite struct SessionLifetimeTests {
    @Test func sessionsLastAnHourAfterTheLastPageNotTheLastChange() async throws {
        let harness = try await Harness()
        try await harness.addUser(mobile: "+33 6 12 34 56 78", registered: true)
        try await harness.browse { browser in
            try await browser.signIn()
            for _ in 1...4 {
                harness.clock.advance(by: 50 * 60)
                let account = try await browser.get("/account")
                #expect(account.status == .ok, "still signed in after \(account.status)")
            }
            harness.clock.advance(by: 61 * 60)
            let idle = try await browser.get("/account")
            #expect(idle.location == "/signin", "an hour without a page ends the session")
        }
    }
}
