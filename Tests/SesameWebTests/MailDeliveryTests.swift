import Foundation
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// The portals' email through real SMTP to the aiosmtpd sink that `scripts/test` starts: codes read back out of the
/// mail that arrived, and the notices and requests the portals send.
@Suite struct MailDeliveryTests {
    let sink: SMTPSink
    let harness: Harness
    let address = "alice.\(UUID().uuidString.prefix(8).lowercased())@example.org"

    init() async throws {
        sink = try SMTPSink.running()
        let smtp = try SMTPSender(settings: SMTPSettings(url: "smtp://127.0.0.1:\(sink.plain)", from: "IT <it@contoso.example>"))
        harness = try await Harness(email: smtp)
        try await harness.setPolicy(.organisationName, "Contoso")
    }

    /// Passes the step-up `path` asks for (docs/behaviour.md#step-up) with the code mailed to `mailbox`.
    func stepUp(_ browser: Browser, at path: String, by mailbox: String) async throws {
        #expect(try await browser.get(path).location == "/reset/verify")
        try await browser.get("/reset/verify")
        let before = try await sink.messages(to: mailbox, count: 0).count
        try await browser.post("/reset/option", [("option", "email")])
        let mail = try #require(try await sink.messages(to: mailbox, count: before + 1).last)
        try await browser.post("/reset/code", [("code", try #require(mail.code))])
        #expect(try await browser.get("/reset/verify").location == "/register")
    }

    @Test func anEmailCodeRegistersAndResetsAndTheOldAddressIsTold() async throws {
        try await harness.addUser(email: address)
        let newAddress = "new.\(address)"
        try await harness.browse { browser in
            try await browser.signIn(language: "fr")
            try await stepUp(browser, at: "/register/email", by: address)
            try await browser.get("/register/email")
            try await browser.post("/register/email", [("address", newAddress)])
            let registration = try #require(try await sink.messages(to: newAddress).first)
            #expect(registration.header("Subject") == "Code de vérification de l’adresse e-mail du compte Contoso")
            #expect(try await browser.post("/register/verify", [("code", try #require(registration.code))]).contains("<h1>Merci</h1>"))
            try await browser.post("/signout", [])

            try await browser.startReset("alice@contoso.com")
            try await browser.post("/reset/option", [("option", "email")])
            // The new address also hears of its own addition (docs/behaviour.md#notices).
            let reset = try #require(try await sink.messages(to: newAddress, count: 3).first { $0.header("Subject") == "Contoso account email verification code" })
            try await browser.post("/reset/code", [("code", try #require(reset.code))])
            #expect(try await browser.get("/reset/verify").location == "/reset/password")
        }
        // Registering an authentication email replaced nothing, but reset codes now go there: the alternate address
        // on file is told, in the user's language and again in the organisation's, with its "This wasn't me" link.
        let added = try #require(try await sink.messages(to: address, count: 2).first { $0.header("Subject")?.hasPrefix("Ajout") == true })
        #expect(added.header("Subject") == "Ajout à votre compte Contoso : adresse e-mail d’authentification · Added to your Contoso account: authentication email")
        #expect(added.part("text/plain")?.text.contains("/wasnt-me/") == true)
        #expect(harness.outbox.messages.isEmpty, "nothing fell back to the console")
    }

    @Test func aReplacedAuthenticationEmailIsToldAtItsOldAddress() async throws {
        var user = try await harness.addUser()
        user.authentication.authenticationEmail = try EmailAddress(address)
        try await harness.store.updateUser(user)
        let replacement = "replacement.\(address)"
        try await harness.browse { browser in
            try await browser.signIn()
            try await stepUp(browser, at: "/register/email", by: address)
            try await browser.get("/register/email")
            try await browser.post("/register/email", [("address", replacement)])
            let code = try #require(try await sink.messages(to: replacement).first?.code)
            try await browser.post("/register/verify", [("code", code)])
            let notice = try #require(try await sink.messages(to: address, count: 2).first { $0.header("Subject")?.hasSuffix("changed") == true })
            #expect(notice.header("Subject") == "The authentication email of your Contoso account changed")
            #expect(notice.part("text/plain")?.text.contains("alice@contoso.com") == true)
            #expect(notice.part("text/plain")?.text.contains(replacement) == false, "the old address does not learn the new one")
        }
    }

    @Test func contactYourAdministratorEmailsTheHelpdesk() async throws {
        try await harness.addUser()
        let helpdesk = "helpdesk.\(address)"
        try await harness.addUser("helpdesk@contoso.com", roles: [.helpdeskAdmin], email: helpdesk)
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com")
            let page = try await browser.post("/reset/contact", [])
            #expect(page.contains("We have asked your administrators to reset your password."))
            let request = try #require(try await sink.messages(to: helpdesk).first)
            #expect(request.header("Subject") == "Contoso: alice@contoso.com asks for a password reset")
            let supportCode = try #require(page.body.firstMatch(of: /<code>([^<]+)<\/code>/).map { String($0.output.1) })
            #expect(request.part("text/plain")?.text.contains("Support code: \(supportCode)") == true)
        }
    }
}
