import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// The reset portal's other situations, each in English and French.
@Suite struct ResetPortalLanguageTests {
    struct Texts: Sendable {
        let language: String
        let cannotVerify: String
        let blocked: String
        let expired: String
        let cancelled: String
        let codeExhausted: String
        let codeWrong: String
        let stepTwo: String
        let unlocked: String
        let captchaFailed: String
        let contact: String
    }

    static let texts = [
        Texts(
            language: "en", cannotVerify: "We could not verify your account",
            blocked: "You've tried to verify your account too many times in the last 24 hour(s).", expired: "This reset has expired",
            cancelled: "Password reset cancelled", codeExhausted: "That code can no longer be used. Send a new code.",
            codeWrong: "That code isn't right. You can try 2 more times.", stepTwo: "Verification step 2 of 2",
            unlocked: "Your account has been unlocked", captchaFailed: "We could not check that you are a person.",
            contact: "Contact your administrator"),
        Texts(
            language: "fr", cannotVerify: "Nous n’avons pas pu vérifier votre compte",
            blocked: "Vous avez essayé de vérifier votre compte trop de fois au cours des dernières 24 heures.",
            expired: "Cette réinitialisation a expiré", cancelled: "Réinitialisation du mot de passe annulée",
            codeExhausted: "Ce code ne peut plus être utilisé. Envoyez un nouveau code.",
            codeWrong: "Ce code est incorrect. Vous pouvez encore essayer 2 fois.", stepTwo: "Étape de vérification 2 sur 2",
            unlocked: "Votre compte a été déverrouillé", captchaFailed: "Nous n’avons pas pu vérifier que vous êtes une personne.",
            contact: "Contacter votre administrateur"),
    ]

    @Test(arguments: texts)
    func endingsBeforeAnyGate(_ texts: Texts) async throws {
        let harness = try await Harness()
        try await harness.store.insertUser(User(userID: "carol", source: .directory, createdAt: harness.clock.now))
        var directoryUser = try #require(try await harness.store.user(userID: "carol"))
        directoryUser.authentication.alternateEmail = try EmailAddress("carol@example.org")
        try await harness.store.updateUser(directoryUser)
        try await harness.browse { browser in
            let unknown = try await browser.startReset("ghost@contoso.com", language: texts.language)
            #expect(unknown.contains(texts.cannotVerify) && unknown.contains(texts.contact))
            // A directory user Sesame may not write back for sees the very page an unknown user ID gets.
            #expect(try await browser.startReset("carol", language: texts.language).contains(texts.cannotVerify))
            let page = try await browser.get("/reset")
            let token = try #require(page.body.firstMatch(of: /name="captcha" value="([^"]*)"/).map { String($0.output.1) })
            let robot = try await browser.post("/reset", [("userID", "ghost@contoso.com"), ("captcha", token), ("answer", "99")])
            #expect(robot.contains(texts.captchaFailed))
        }
        #expect(try await harness.store.resetActivities(ActivityQuery()).map(\.detail) == [.managedInDirectory, .insufficientMethods])
    }

    @Test(arguments: texts)
    func codesWrongReplayedAndExpired(_ texts: Texts) async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [.userAdmin], mobile: "+33 6 12 34 56 78", email: "alice@example.org")
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com", language: texts.language)
            try await browser.post("/reset/option", [("option", "email")])
            let code = try harness.lastCode().code
            let wrong = try await browser.post("/reset/code", [("code", code == "000000" ? "000001" : "000000")])
            #expect(wrong.status == .unprocessableContent && wrong.contains(texts.codeWrong))
            try await browser.post("/reset/code", [("code", code)])
            let second = try await browser.get("/reset/verify")
            #expect(second.contains(texts.stepTwo))
            // The email code is spent: posting it again at the second gate does nothing.
            let replay = try await browser.post("/reset/code", [("code", code)])
            #expect(try await browser.get("/reset/verify").contains(texts.stepTwo) && replay.location == "/reset/verify")
            try await browser.post("/reset/option", [("option", "mobileSMS")])
            try await browser.post("/reset/phone", [("number", "06 12 34 56 78")])
            let smsCode = try harness.lastCode().code
            harness.clock.advance(by: 301)
            let expired = try await browser.post("/reset/code", [("code", smsCode)])
            #expect(expired.contains(texts.codeExhausted), "an expired code sends the user back to the options")
            #expect(try await browser.get("/reset/verify").contains("value=\"mobileSMS\""))
        }
    }

    @Test(arguments: texts)
    func blockingExpiryCancelAndUnlock(_ texts: Texts) async throws {
        let harness = try await Harness()
        var user = try await harness.addUser(email: "alice@example.org")
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com", language: texts.language)
            #expect(try await browser.post("/reset/cancel", []).contains(texts.cancelled))
            try await browser.startReset("alice@contoso.com", language: texts.language)
            harness.clock.advance(by: 15 * 60)
            #expect(try await browser.get("/reset/verify").contains(texts.expired))
        }
        for index in 1...10 { user.lockout.recordFailure(fingerprint: "f\(index)", at: harness.clock.now) }
        try await harness.store.updateUser(user)
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com", language: texts.language)
            try await browser.post("/reset/option", [("option", "email")])
            try await browser.post("/reset/code", [("code", try harness.lastCode().code)])
            try await browser.get("/reset/password")
            #expect(try await browser.post("/reset/unlock", []).contains(texts.unlocked))
        }
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com", language: texts.language)
            var last = Page(status: .ok, headers: [:], body: "")
            while last.status != .tooManyRequests {
                try await browser.post("/reset/option", [("option", "email")])
                let code = try harness.lastCode().code
                last = try await browser.post("/reset/code", [("code", code == "000000" ? "000001" : "000000")])
            }
            #expect(last.contains(texts.blocked))
        }
    }
}
