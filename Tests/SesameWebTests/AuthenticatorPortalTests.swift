import Foundation
import HTTPTypes
import SesameCore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// The authenticator app through the pages (docs/behaviour.md#authenticator-app): registration with a QR code drawn
/// on the server and the key as text, a first code before saving, then a reset through its gate; wrong codes lead to
/// the 24-hour block as wrong sent codes do.
@Suite struct AuthenticatorPortalTests {
    /// The key as the page shows it, in groups of four Base32 characters, back to bytes.
    static func key(on page: Page) throws -> [UInt8] {
        let grouped = try #require(page.body.firstMatch(of: /<code>([A-Z2-7 ]+)<\/code>/).map { String($0.output.1) })
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bytes: [UInt8] = []
        var buffer = 0, bits = 0
        for character in grouped where character != " " {
            buffer = (buffer << 5 | (alphabet.firstIndex(of: character) ?? 0)) & 0xfff
            bits += 5
            if bits >= 8 {
                bits -= 8
                bytes.append(UInt8(truncatingIfNeeded: buffer >> bits))
            }
        }
        return bytes
    }

    func code(_ key: [UInt8], _ harness: Harness, offset: Int64 = 0) -> String {
        TimeBasedPassword.code(key: key, step: TimeBasedPassword.step(at: harness.clock.now) + offset)
    }

    /// Registers the app through the pages; its key.
    func register(_ browser: Browser, _ harness: Harness, language: String, wrong: String, thanks: String) async throws -> [UInt8] {
        try await browser.signIn(language: language)
        let page = try await browser.get("/register/authenticator")
        let key = try Self.key(on: page)
        #expect(key.count == 20)
        let refused = try await browser.post("/register/authenticator", [("code", code(key, harness) == "000000" ? "000001" : "000000")])
        #expect(refused.status == .unprocessableContent && refused.contains(wrong))
        #expect(try Self.key(on: refused) == key, "the same key until it is confirmed")
        let done = try await browser.post("/register/authenticator", [("code", code(key, harness))])
        #expect(done.contains("<h1>\(thanks)</h1>"), "\(done.body)")
        return key
    }

    @Test(arguments: [
        ("en", "Authenticator app", "QR code of the key for your authenticator app", "That code is not right, or was already used.", "Thanks",
         "Enter a code from my authenticator app", "Open your authenticator app", "An authenticator app is set up"),
        ("fr", "Application d’authentification", "Code QR de la clé pour votre application d’authentification", "Ce code n’est pas le bon, ou a déjà servi.",
         "Merci", "Entrez un code de mon application d’authentification", "Ouvrez votre application d’authentification",
         "Une application d’authentification est configurée"),
    ])
    func registrationThenResetThroughTheApp(
        _ language: String, _ heading: String, _ qrLabel: String, _ wrong: String, _ thanks: String, _ option: String, _ prompt: String,
        _ done: String
    ) async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "authenticatorApp")
        try await harness.setPolicy(.organisationName, "Contoso & Co")
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn(language: language)
            let overview = try await browser.get("/register")
            #expect(overview.contains("<h2>\(heading)</h2>") && overview.contains("href=\"/register/authenticator\""))
            let page = try await browser.get("/register/authenticator")
            // Drawn here: an inline SVG with an accessible name, nothing fetched from elsewhere.
            #expect(page.contains("<svg class=\"qr\" role=\"img\" aria-label=\"\(qrLabel)\""))
            #expect(page.body.contains("<path d=\"M") && !page.body.contains("<img") && !page.body.contains("otpauth://"))
            let key = try await register(browser, harness, language: language, wrong: wrong, thanks: thanks)
            #expect(try await browser.get("/register").contains(done))

            harness.clock.advance(by: 30)
            let reset = Browser(client: browser.client)
            try await reset.startReset("alice@contoso.com", language: language)
            let options = try await reset.get("/reset/verify")
            #expect(options.contains(option) && options.body.contains("value=\"authenticatorApp\""))
            #expect(try await reset.post("/reset/option", [("option", "authenticatorApp")]).location == "/reset/verify")
            let codePage = try await reset.get("/reset/verify")
            #expect(codePage.contains(prompt) && codePage.body.contains("action=\"/reset/code\""))
            let malformed = try await reset.post("/reset/code", [("code", "12")])
            #expect(malformed.status == .unprocessableContent)
            let wrongCode = try await reset.post("/reset/code", [("code", code(key, harness, offset: -1))])
            #expect(wrongCode.status == .unprocessableContent && wrongCode.contains(wrong), "the registration's code, used already")
            #expect(try await reset.post("/reset/code", [("code", code(key, harness))]).location == "/reset/verify")
            #expect(try await reset.get("/reset/verify").location == "/reset/password")
            #expect(try await reset.post("/reset/password", [("new", "Yt7$Mx3!Ps9j"), ("confirm", "Yt7$Mx3!Ps9j")]).status == .ok)
        }
        let rows = try await harness.store.resetActivities(ActivityQuery())
        #expect(rows.first?.result == .succeeded && rows.first?.methodsUsed == [.authenticatorApp])
        #expect(try await harness.store.registrationActivities(ActivityQuery()).map(\.dataRegistered) == [.authenticatorApp])
        let throttle = try await harness.store.throttleState(ThrottleKey(.identityProof, try #require(try await harness.store.user(userID: "alice@contoso.com")).id.uuidString))
        #expect(throttle == nil, "a successful reset clears the failed proofs")
    }

    /// Five wrong codes, in two flows: the user is blocked for 24 hours, and a right code in another flow proves nothing.
    @Test func wrongCodesLeadToTheDayLongBlock() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "authenticatorApp")
        try await harness.addUser()
        try await harness.browse { browser in
            let key = try await register(browser, harness, language: "en", wrong: "That code is not right", thanks: "Thanks")
            harness.clock.advance(by: 30)
            let wrong = code(key, harness) == "000000" ? "000001" : "000000"
            let owner = Browser(client: browser.client)
            try await owner.startReset("alice@contoso.com")
            try await owner.post("/reset/option", [("option", "authenticatorApp")])
            let attacker = Browser(client: browser.client)
            try await attacker.startReset("alice@contoso.com")
            try await attacker.post("/reset/option", [("option", "authenticatorApp")])
            for _ in 1...4 { #expect(try await attacker.post("/reset/code", [("code", wrong)]).status == .unprocessableContent) }
            let blocked = try await attacker.post("/reset/code", [("code", wrong)])
            #expect(blocked.status == .tooManyRequests && blocked.contains(IdentityBlockTests.blocked))
            let late = try await owner.post("/reset/code", [("code", code(key, harness))])
            #expect(late.status == .tooManyRequests && late.contains(IdentityBlockTests.blocked))
            harness.clock.advance(by: 86_400 - 60)
            #expect(try await Browser(client: browser.client).startReset("alice@contoso.com").status == .tooManyRequests)
        }
        let audit = try await harness.store.auditEvents(ActivityQuery())
        #expect(audit.contains { $0.activity == .blocked && $0.detail.contains("authenticator app codes") })
    }

    @Test func anAdministratorSeesAndRemovesTheApp() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "authenticatorApp,email")
        try await harness.addUser()
        try await harness.addUser("admin@contoso.com", roles: [.globalAdmin])
        try await harness.browse { browser in
            _ = try await register(browser, harness, language: "en", wrong: "That code is not right", thanks: "Thanks")
            let admin = Browser(client: browser.client)
            try await admin.signIn("admin@contoso.com")
            let page = try await admin.get("/admin/users/alice@contoso.com")
            #expect(page.contains("Authenticator app: Yes") && page.contains("Remove the authenticator app"))
            let removed = try await admin.post("/admin/users/alice@contoso.com/remove-authenticator", [])
            #expect(removed.location == "/admin/users/alice@contoso.com?done=authenticator")
            #expect(!(try await admin.get("/admin/users/alice@contoso.com")).contains("Remove the authenticator app"))
        }
        #expect(try await harness.store.user(userID: "alice@contoso.com")?.authentication.sealedAuthenticatorSecret == nil)
        let event = try #require(try await harness.store.auditEvents(ActivityQuery()).first)
        #expect(event.activity == .userUpdated && event.detail == "authenticator app removed" && event.actor == "admin@contoso.com")
    }

    /// The key, in Base32 and grouped, and the codes never reach the log, in either format, nor the audit log
    /// (docs/security.md#authenticator-app).
    @Test(arguments: LogFormat.allCases) func theKeyAndTheCodesAreNeverLogged(_ format: LogFormat) async throws {
        let capture = LogCapture(format: format)
        let harness = try await Harness(logger: capture.logger)
        try await harness.setPolicy(.methods, "authenticatorApp")
        try await harness.addUser()
        let secrets = Secrets()
        try await harness.browse { browser in
            try await browser.signIn()
            let page = try await browser.get("/register/authenticator")
            let grouped = try #require(page.body.firstMatch(of: /<code>([A-Z2-7 ]+)<\/code>/).map { String($0.output.1) })
            let key = try Self.key(on: page)
            secrets.add(grouped, grouped.replacingOccurrences(of: " ", with: ""), code(key, harness))
            try await browser.post("/register/authenticator", [("code", code(key, harness))])
            harness.clock.advance(by: 30)
            try await browser.startReset("alice@contoso.com")
            try await browser.post("/reset/option", [("option", "authenticatorApp")])
            secrets.add(code(key, harness))
            try await browser.post("/reset/code", [("code", code(key, harness))])
        }
        let audit = try await harness.store.auditEvents(ActivityQuery()).map { "\($0)" }.joined(separator: "\n")
        #expect(!capture.all.isEmpty)
        for secret in secrets.all {
            #expect(!capture.text.contains(secret), "\(secret) in the log")
            #expect(!audit.contains(secret), "\(secret) in the audit log")
        }
    }
}
