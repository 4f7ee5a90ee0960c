import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

@Suite struct RegistrationTests {
    /// The registration journey (docs/behaviour.md#registration-portal): "Set it up now", country code and number,
    /// "Text me", the code, "Verify", "Thanks", "Finish".
    @Test(arguments: [
        ("en", "Don't lose access to your account!", "Set it up now", "Text me", "Verify", "Thanks", "Finish", "Authentication phone"),
        ("fr", "Ne perdez pas l’accès à votre compte !", "Configurer maintenant", "Envoyez-moi un SMS", "Vérifier", "Merci", "Terminer", "Téléphone d’authentification"),
    ])
    func seedJourneyBySMS(
        _ language: String, _ title: String, _ setUp: String, _ textMe: String, _ verify: String, _ thanks: String, _ finish: String, _ heading: String
    ) async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn(language: language)
            let overview = try await browser.get("/register")
            #expect(overview.contains("<h1>\(title)</h1>"))
            #expect(overview.contains("<h2>\(heading)</h2>") && overview.contains(">\(setUp)</a>"))
            #expect(overview.contains(" disabled>\(finish)</button>"), "Finish waits for the minimum")
            let form = try await browser.get("/register/phone")
            #expect(form.contains(">\(textMe)</button>"))
            #expect(form.contains(language == "fr" ? "<option value=\"FR\" selected>France (\u{2066}+33\u{2069})</option>" : "<option value=\"FR\">France (\u{2066}+33\u{2069})</option>"))
            let sent = try await browser.post("/register/phone", [("country", "FR"), ("number", "06 12 34 56 78"), ("channel", "sms")])
            #expect(sent.status == .ok && sent.contains("+33 6•• •• •• 78"))
            let (code, message) = try harness.lastCode()
            #expect(message.channel == .sms && message.to == "+33612345678" && message.language.rawValue == language)
            let done = try await browser.post("/register/verify", [("code", code)])
            #expect(done.contains("<h1>\(thanks)</h1>") && done.contains("<button type=\"submit\">\(finish)</button>"), "Thanks with Finish, as Entra shows them")
            let after = try await browser.get("/register")
            #expect(after.contains("+33 6•• •• •• 78") && after.contains(">\(finish)</button>") && !after.contains(" disabled>\(finish)"))
            #expect(try await browser.post("/register/finish", []).location == "/account")
        }
        let user = try #require(try await harness.store.user(userID: "alice@contoso.com"))
        #expect(user.authentication.authenticationPhone?.e164 == "+33612345678")
        #expect(user.registration.registeredAt == harness.clock.now)
        #expect(try await harness.store.registrationActivities(ActivityQuery()).map(\.dataRegistered) == [.mobilePhone])
        #expect(try await harness.store.auditEvents(ActivityQuery()).first?.activity == .registered)
    }

    @Test(arguments: [
        ("en", "We're calling +44 7• •• •• •• 56.", "Hello. Your Sesame verification code is", "Thanks"),
        ("fr", "Nous appelons le +44 7• •• •• •• 56.", "Bonjour. Votre code de vérification Sesame est", "Merci"),
    ])
    func callMeSpeaksTheCode(_ language: String, _ calling: String, _ spoken: String, _ thanks: String) async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn(language: language)
            try await browser.get("/register/phone")
            let page = try await browser.post("/register/phone", [("country", "GB"), ("number", "07400 123456"), ("channel", "voice")])
            #expect(page.contains(calling))
            let (code, message) = try harness.lastCode()
            #expect(message.channel == .voice && message.text.hasPrefix(spoken))
            #expect(message.text.contains(code.map(String.init).joined(separator: ", ")))
            #expect(try await browser.post("/register/verify", [("code", code)]).contains("<h1>\(thanks)</h1>"))
        }
        #expect(try await harness.store.user(userID: "alice@contoso.com")?.authentication.authenticationPhone?.e164 == "+447400123456")
    }

    @Test(arguments: [
        ("en", "Sesame account email verification code", "That code isn't right. You can try 2 more times.",
         "Enter the 6 digits of the code.", "That code has expired. Send a new code.", "Thanks"),
        ("fr", "Code de vérification de l’adresse e-mail du compte Sesame", "Ce code est incorrect. Vous pouvez encore essayer 2 fois.",
         "Saisissez les 6 chiffres du code.", "Ce code a expiré. Envoyez un nouveau code.", "Merci"),
    ])
    func wrongExpiredAndReplayedCodes(
        _ language: String, _ subject: String, _ wrongText: String, _ malformed: String, _ expiredText: String, _ thanks: String
    ) async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn(language: language)
            try await browser.get("/register/email")
            try await browser.post("/register/email", [("address", "alice@example.org")])
            let (code, message) = try harness.lastCode()
            #expect(message.subject == subject)
            let wrong = try await browser.post("/register/verify", [("code", code == "000000" ? "000001" : "000000")])
            #expect(wrong.status == .unprocessableContent && wrong.contains(wrongText))
            #expect(try await browser.post("/register/verify", [("code", "12")]).contains(malformed))
            harness.clock.advance(by: 301)
            let expired = try await browser.post("/register/verify", [("code", code)])
            #expect(expired.contains(expiredText) && expired.contains("href=\"/register/email\""))
            try await browser.get("/register/email")
            try await browser.post("/register/email", [("address", "alice@example.org")])
            let fresh = try harness.lastCode().code
            #expect(try await browser.post("/register/verify", [("code", fresh)]).contains("<h1>\(thanks)</h1>"))
            // The code is spent and the pending step is gone: replaying it leads nowhere.
            #expect(try await browser.post("/register/verify", [("code", fresh)]).location == "/register")
        }
        #expect(try await harness.store.user(userID: "alice@contoso.com")?.authentication.authenticationEmail?.value == "alice@example.org")
    }

    @Test func threeWrongCodesVoidTheCode() async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn("alice@contoso.com")
            try await browser.get("/register/email?lang=fr")
            try await browser.post("/register/email", [("address", "alice@example.org")])
            let code = try harness.lastCode().code
            let wrong = code == "000000" ? "000001" : "000000"
            for _ in 1...3 { try await browser.post("/register/verify", [("code", wrong)]) }
            let void = try await browser.post("/register/verify", [("code", code)])
            #expect(void.contains("Ce code ne peut plus être utilisé. Envoyez un nouveau code."))
        }
    }

    @Test(arguments: [
        ("en", "You've tried to verify your phone too many times in the last 1 hour(s). For security reasons, you'll have to wait 24 hour(s) before you can try again."),
        ("fr", "Vous avez essayé de vérifier votre téléphone trop de fois au cours de la dernière heure. Pour des raisons de sécurité, vous devez attendre 24 heures avant de réessayer."),
    ])
    func sendsAreThrottledWithTheirMessage(_ language: String, _ message: String) async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn(language: language)
            try await browser.get("/register/phone")
            for index in 1...5 {
                let page = try await browser.post("/register/phone", [("country", "FR"), ("number", "06 12 34 56 7\(index)"), ("channel", "sms")])
                #expect(page.status == .ok)
            }
            let blocked = try await browser.post("/register/phone", [("country", "FR"), ("number", "06 12 34 56 70"), ("channel", "sms")])
            #expect(blocked.status == .unprocessableContent)
            #expect(blocked.contains(message))
            #expect(harness.outbox.messages.count == 5, "nothing is sent once blocked")
        }
    }

    @Test func malformedPhonesAndEmailsAreExplained() async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn()
            try await browser.get("/register/phone?lang=fr")
            let short = try await browser.post("/register/phone", [("country", "FR"), ("number", "06 12"), ("channel", "sms")])
            #expect(short.status == .unprocessableContent && short.contains("ce numéro est trop court pour France"))
            let letters = try await browser.post("/register/phone", [("country", "FR"), ("number", "06 CALL ME"), ("channel", "sms")])
            #expect(letters.contains("n’est pas un numéro de téléphone"))
            let email = try await browser.post("/register/email", [("address", "not-an-address")])
            #expect(email.contains("« not-an-address » n’est pas une adresse e-mail"))
            #expect(harness.outbox.messages.isEmpty)
        }
    }

    @Test(arguments: [
        ("en", "Security questions", "Your administrator has a••••@example.org on file", "What was the name of your first pet?",
         "give a different answer to each question", "Thanks"),
        ("fr", "Questions de sécurité", "Votre administrateur a enregistré a••••@example.org", "Quel était le nom de votre premier animal de compagnie ?",
         "donnez une réponse différente à chaque question", "Merci"),
    ])
    func securityQuestionsWithPrepopulatedEmail(
        _ language: String, _ heading: String, _ prepopulated: String, _ question: String, _ duplicateText: String, _ thanks: String
    ) async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "email,securityQuestions")
        try await harness.setPolicy(.methodsRequired, "2")
        try await harness.addUser(email: "alice@example.org")
        try await harness.browse { browser in
            try await browser.signIn(language: language)
            let overview = try await browser.get("/register")
            #expect(overview.contains("<h2>\(heading)</h2>") && overview.contains(prepopulated))
            // The pre-populated email would serve a reset: it proves who is changing the methods.
            try await harness.stepUp(browser, at: "/register/questions")
            #expect(try await browser.get("/register/questions").contains(question))
            let duplicate = try await browser.post("/register/questions", [
                ("question1", "p29"), ("answer1", "Rex"), ("question2", "p2"), ("answer2", " rex "), ("question3", "p3"), ("answer3", "Nice"),
            ])
            #expect(duplicate.status == .unprocessableContent && duplicate.contains(duplicateText))
            let saved = try await browser.post("/register/questions", [
                ("question1", "p29"), ("answer1", "Rex"), ("question2", "p2"), ("answer2", "Lyon"), ("question3", "p3"), ("answer3", "Nice"),
            ])
            #expect(saved.contains("<h1>\(thanks)</h1>"))
            // The pre-populated email and the questions make two methods: Finish is open.
            #expect(try await browser.post("/register/finish", []).location == "/account")
        }
        let user = try #require(try await harness.store.user(userID: "alice@contoso.com"))
        #expect(user.authentication.securityAnswers.map(\.question) == [.predefined(29), .predefined(2), .predefined(3)])
        #expect(await fastHasher.verify("rex", against: user.authentication.securityAnswers[0].answerHash))
        #expect(user.registration.isRegistered)
    }

    @Test func finishWaitsForTheMinimum() async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn()
            try await browser.get("/register")
            let early = try await browser.post("/register/finish", [])
            #expect(early.status == .unprocessableContent && early.contains("Set up 1 method before you finish."))
        }
        #expect(try await harness.store.user(userID: "alice@contoso.com")?.registration.isRegistered == false)
    }

    @Test func administratorsGetTwoGatesAndNoQuestions() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "securityQuestions,email")
        try await harness.addUser(roles: [.globalAdmin])
        try await harness.browse { browser in
            try await browser.signIn()
            let overview = try await browser.get("/register")
            #expect(overview.contains("at least 2 of the options below"))
            #expect(overview.contains("Authentication phone") && !overview.contains("Security questions"))
            #expect(try await browser.get("/register/questions").location == "/register")
        }
    }

    @Test(arguments: ["en", "fr"])
    func usersNotEnabledAreTold(_ language: String) async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.group, "sspr")
        try await harness.setPolicy(.enabled, "selected")
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn(language: language)
            let page = try await browser.get("/register")
            let posted = try await browser.post("/register/phone", [("country", "FR"), ("number", "06 12 34 56 78"), ("channel", "sms")])
            #expect(posted.status == .forbidden && posted.body == page.body.replacingOccurrences(of: page.csrf ?? "", with: posted.csrf ?? ""))
            #expect(harness.outbox.messages.isEmpty)
            #expect(page.status == .forbidden)
            #expect(page.contains(language == "fr"
                ? "Votre administrateur ne vous a pas autorisé à utiliser cette fonctionnalité."
                : "Your administrator has not enabled you to use this feature."))
        }
    }

    @Test func signedOutVisitorsAreSentToSignIn() async throws {
        let harness = try await Harness()
        try await harness.browse { browser in
            let pages = [try await browser.get("/register"), try await browser.get("/account"), try await browser.get("/")]
            #expect(pages.map(\.location) == ["/signin", "/signin", "/signin"])
        }
    }
}
