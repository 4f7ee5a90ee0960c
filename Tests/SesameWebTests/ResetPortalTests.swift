import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SesameCore
import SesameTestSupport
import SesameDelivery
import SesameStore
import Testing

@testable import SesameWeb

@Suite struct ResetPortalTests {
    @Test(arguments: [
        ("en", "Who are you?", "Text my mobile phone (+33 6•• •• •• 78)", "Incorrect phone number specified.", "Your password has been reset"),
        ("fr", "Qui êtes-vous ?", "Envoyer un SMS sur mon téléphone mobile (+33 6•• •• •• 78)", "Numéro de téléphone incorrect.", "Votre mot de passe a été réinitialisé"),
    ])
    func oneGateBySMS(_ language: String, _ who: String, _ option: String, _ incorrect: String, _ done: String) async throws {
        let harness = try await Harness()
        try await harness.addUser(mobile: "+33 6 12 34 56 78", registered: true)
        try await harness.browse { browser in
            // Entra's heading above "Who are you?", as on every later reset page.
            let start = try await browser.get("/reset?lang=\(language)")
            #expect(start.contains("<h1>\(WebCatalogue.text("reset.title", in: Language(tag: language) ?? .english))</h1>\n<h2>\(who)</h2>"))
            let started = try await browser.startReset("alice@contoso.com", language: language)
            #expect(started.location == "/reset/verify")
            let options = try await browser.get("/reset/verify")
            #expect(options.contains(option))
            #expect(try await browser.post("/reset/option", [("option", "mobileSMS")]).location == "/reset/verify")
            let wrong = try await browser.post("/reset/phone", [("number", "06 12 34 56 79")])
            #expect(wrong.status == .unprocessableContent && wrong.contains(incorrect))
            #expect(harness.outbox.messages.isEmpty, "nothing is sent to a number the user could not type")
            try await browser.post("/reset/phone", [("number", "06 12 34 56 78")])
            try await browser.get("/reset/verify")
            let code = try harness.lastCode().code
            #expect(try await browser.post("/reset/code", [("code", code)]).location == "/reset/verify")
            #expect(try await browser.get("/reset/verify").location == "/reset/password")
            let form = try await browser.get("/reset/password")
            #expect(form.contains("data-strength") && form.contains("/static/sesame.js"))
            let weak = try await browser.post("/reset/password", [("new", "password1"), ("confirm", "password1")])
            #expect(weak.status == .unprocessableContent)
            let finished = try await browser.post("/reset/password", [("new", "Yt7$Mx3!Ps9j"), ("confirm", "Yt7$Mx3!Ps9j")])
            #expect(finished.contains(done))
        }
        try await harness.browse { browser in
            let location = try await browser.signIn(password: "Yt7$Mx3!Ps9j")
            #expect(location == "/account")
        }
        let row = try #require(try await harness.store.resetActivities(ActivityQuery()).first)
        #expect(row.result == .succeeded && row.methodsUsed == [.mobileSMS])
    }

    @Test func twoGatesForAdministratorsWithTheFirstMethodRemoved() async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [.globalAdmin], mobile: "+33 6 12 34 56 78", email: "alice@example.org", registered: true)
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com")
            let first = try await browser.get("/reset/verify")
            // Until a first proof, the organisation's count: the page does not tell an outsider who is an administrator.
            #expect(first.contains("Verification step 1 of 1") && first.contains("Email my alternate email"))
            try await browser.post("/reset/option", [("option", "email")])
            try await browser.get("/reset/verify")
            try await browser.post("/reset/code", [("code", try harness.lastCode().code)])
            let second = try await browser.get("/reset/verify")
            #expect(second.contains("Verification step 2 of 2"))
            #expect(!second.contains("Email my alternate email") && second.contains("Call my mobile phone"))
            #expect(try await browser.get("/reset/password").location == "/reset/verify", "one gate is not enough")
            try await browser.post("/reset/option", [("option", "mobileVoice")])
            try await browser.post("/reset/phone", [("number", "+33 6 12 34 56 78")])
            let (code, message) = try harness.lastCode()
            #expect(message.channel == .voice)
            try await browser.post("/reset/code", [("code", code)])
            #expect(try await browser.get("/reset/verify").location == "/reset/password")
        }
    }

    @Test func securityQuestionsGate() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "securityQuestions,email")
        var user = try await harness.addUser(registered: true)
        user.authentication.securityAnswers = try await SecurityAnswerHasher(hasher: fastHasher).register(
            [(.predefined(1), "Paris"), (.predefined(2), "Lyon"), (.predefined(3), "Nice"), (.predefined(4), "Lille")], required: 3,
            offered: Policy().availableQuestions)
        try await harness.store.updateUser(user)
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com", language: "fr")
            try await browser.post("/reset/option", [("option", "securityQuestions")])
            let questions = try await browser.get("/reset/verify")
            #expect(questions.contains("Répondez à ces questions de sécurité."))
            let wrong = try await browser.post("/reset/questions", [("answer1", "x"), ("answer2", "y"), ("answer3", "z")])
            #expect(wrong.status == .unprocessableContent && wrong.contains("Une ou plusieurs réponses sont incorrectes."))
            let answers = ["Dans quelle ville avez-vous rencontré": "paris", "Dans quelle ville vos parents": "LYON", "Dans quelle ville vit votre": "nice", "Dans quelle ville votre père": "Lille"]
            var fields: [(String, String)] = []
            for index in 1...3 {
                let label = try #require(wrong.body.firstMatch(of: try Regex("for=\"answer\(index)\">([^<]*)</label>")).map { String($0.output[1].substring ?? "") })
                fields.append(("answer\(index)", answers.first { label.hasPrefix($0.key) }?.value ?? ""))
            }
            #expect(try await browser.post("/reset/questions", fields).location == "/reset/verify")
            #expect(try await browser.get("/reset/verify").location == "/reset/password")
        }
    }

    @Test func unknownUsersSeeWhatUnverifiableUsersSee() async throws {
        let harness = try await Harness()
        try await harness.addUser("bob@contoso.com", mobile: nil, registered: false)
        try await harness.browse { browser in
            let unknown = try await browser.startReset("ghost@contoso.com")
            let known = try await browser.startReset("bob@contoso.com")
            #expect(unknown.status == known.status && unknown.status == .ok)
            #expect(unknown.contains("We could not verify your account") && known.contains("We could not verify your account"))
            let strip = { (page: Page) in page.body.replacing(/<code>[^<]*<\/code>/, with: "").replacing(/value="[^"]*"/, with: "") }
            #expect(strip(unknown) == strip(known))
            #expect(harness.outbox.messages.isEmpty)
        }
    }

    @Test(arguments: [
        ("en", "We could not verify your account"),
        ("fr", "Nous n’avons pas pu vérifier votre compte"),
    ])
    func notEnabled(_ language: String, _ title: String) async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.enabled, "none")
        try await harness.addUser(mobile: "+33 6 12 34 56 78")
        try await harness.browse { browser in
            let page = try await browser.startReset("alice@contoso.com", language: language)
            #expect(page.contains(title) && page.contains(#"<form method="post" action="/reset/contact""#))
        }
        #expect(try await harness.store.resetActivities(ActivityQuery()).first?.detail == .disabledForOrganisation)
    }

    @Test func everyEligibilityFailureEndsOnTheCannotVerifyPage() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.group, "sspr")
        try await harness.setPolicy(.enabled, "selected")
        try await harness.addUser("outsider@contoso.com", mobile: "+33 6 12 34 56 78")
        var disabled = try await harness.addUser("gone@contoso.com", mobile: "+33 6 12 34 56 79")
        disabled.enabled = false
        try await harness.store.updateUser(disabled)
        var admin = try await harness.addUser("admin@contoso.com", roles: [.passwordAdmin], mobile: "+33 6 12 34 56 70", email: "admin@example.org")
        admin.groups = []
        try await harness.store.updateUser(admin)
        try await harness.browse { browser in
            let outsider = try await browser.startReset("outsider@contoso.com")
            let gone = try await browser.startReset("gone@contoso.com")
            // Administrators keep the right to reset outside the selected group.
            let admin = try await browser.startReset("admin@contoso.com")
            #expect(outsider.contains("We could not verify your account"))
            #expect(gone.contains("We could not verify your account"))
            #expect(admin.location == "/reset/verify")
        }
        let details = try await harness.store.resetActivities(ActivityQuery()).map(\.detail)
        #expect(details == [.accountDisabled, .notInGroup])
    }

    @Test func blockedAfterFiveWrongCodes() async throws {
        let harness = try await Harness()
        try await harness.addUser(email: "alice@example.org")
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com")
            var last = Page(status: .ok, headers: [:], body: "")
            for _ in 1...2 {
                try await browser.post("/reset/option", [("option", "email")])
                let code = try harness.lastCode().code
                for _ in 1...3 where last.status != .tooManyRequests {
                    last = try await browser.post("/reset/code", [("code", code == "000000" ? "000001" : "000000")])
                }
            }
            #expect(last.status == .tooManyRequests)
            #expect(last.contains("Please use another option.") && last.contains("24 hour(s)"))
            #expect(try await browser.startReset("alice@contoso.com").contains("Please use another option."))
        }
    }

    /// Before, the code page named the alternate email in full to whoever typed the user ID and passed the CAPTCHA.
    @Test func theCodePageMasksTheEmailAddress() async throws {
        let harness = try await Harness()
        try await harness.addUser(email: "alice.martin@example.org")
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com")
            try await browser.post("/reset/option", [("option", "email")])
            let page = try await browser.get("/reset/verify")
            #expect(!page.contains("alice.martin@example.org"))
            #expect(page.contains("a•••••••••••@example.org"))
        }
    }

    @Test func theResetSessionExpiresAfterFifteenMinutes() async throws {
        let harness = try await Harness()
        try await harness.addUser(email: "alice@example.org")
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com", language: "fr")
            try await browser.get("/reset/verify")
            harness.clock.advance(by: 15 * 60)
            // A form posted after the 15 minutes says so too, rather than silently starting over.
            let posted = try await browser.post("/reset/option", [("option", "email")])
            #expect(posted.contains("Cette réinitialisation a expiré"))
            try await browser.startReset("alice@contoso.com", language: "fr")
            harness.clock.advance(by: 15 * 60)
            #expect(try await browser.get("/reset/verify").contains("Cette réinitialisation a expiré"))
        }
    }

    @Test func cancelContactAndAbandonAreRecorded() async throws {
        let harness = try await Harness()
        try await harness.addUser(email: "alice@example.org")
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com")
            try await browser.get("/reset/verify")
            #expect(try await browser.post("/reset/cancel", []).contains("Password reset cancelled"))
            try await browser.startReset("alice@contoso.com")
            try await browser.post("/reset/option", [("option", "email")])
            try await browser.startReset("alice@contoso.com")
            try await browser.get("/reset/verify")
            let contacted = try await browser.post("/reset/contact", [])
            #expect(contacted.contains("We have asked your administrators to reset your password."))
        }
        let details = try await harness.store.resetActivities(ActivityQuery()).map(\.detail)
        #expect(details == [.contactedAdminBeforeOption, .abandonedAfterStartingOption(.email), .cancelledBeforeMethods])
        try await harness.setPolicy(.helpdeskLink, "https://help.contoso.com/sspr")
        try await harness.setPolicy(.enabled, "none")
        try await harness.browse { browser in
            let page = try await browser.startReset("alice@contoso.com")
            #expect(page.contains("href=\"https://help.contoso.com/sspr\" target=\"_blank\" rel=\"noopener\""))
        }
    }

    @Test func theCaptchaIsRequiredAndHasAFallbackWithoutScript() async throws {
        let harness = try await Harness()
        try await harness.addUser(email: "alice@example.org")
        try await harness.browse { browser in
            let form = try await browser.get("/reset")
            let token = try #require(form.body.firstMatch(of: /name="captcha" value="([^"]*)"/).map { String($0.output.1) })
            let missing = try await browser.post("/reset", [("userID", "alice@contoso.com"), ("captcha", token), ("solution", "")])
            #expect(missing.status == .unprocessableContent && missing.contains("We could not check that you are a person."))
            // A token is spent by its first use: the page that refused it carries a new one, and a new sum.
            let again = try #require(missing.body.firstMatch(of: /name="captcha" value="([^"]*)"/).map { String($0.output.1) })
            #expect(again != token)
            let question = try #require(missing.body.firstMatch(of: /what is (\d) plus (\d)\?/))
            let sum = Int(question.output.1)! + Int(question.output.2)!
            let answered = try await browser.post("/reset", [("userID", "alice@contoso.com"), ("captcha", again), ("answer", String(sum))])
            #expect(answered.location == "/reset/verify")
        }
    }

    @Test func lockedUsersMayUnlockOnly() async throws {
        let harness = try await Harness()
        var user = try await harness.addUser(email: "alice@example.org", registered: true)
        for index in 1...10 { user.lockout.recordFailure(fingerprint: "f\(index)", at: harness.clock.now) }
        try await harness.store.updateUser(user)
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com")
            try await browser.post("/reset/option", [("option", "email")])
            try await browser.post("/reset/code", [("code", try harness.lastCode().code)])
            let choice = try await browser.get("/reset/password")
            #expect(choice.contains("Unlock my account only") && choice.contains("Reset my password and unlock"))
            #expect(try await browser.post("/reset/unlock", []).contains("Your account has been unlocked"))
        }
        try await harness.browse { browser in
            let location = try await browser.signIn()
            #expect(location == "/account")
        }
    }
}

@Suite struct CookielessResetTests {
    @Test(arguments: [("en", "Your browser is not accepting cookies."), ("fr", "Votre navigateur refuse les cookies.")])
    func aBrowserWithoutCookiesIsToldAndRecorded(_ language: String, _ message: String) async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.application.test(.router) { client in
            let response = try await client.execute(
                uri: "/reset?lang=\(language)", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "userID=alice%40contoso.com&_csrf=x"))
            let page = Page(status: response.status, headers: response.headers, body: String(buffer: response.body))
            #expect(page.status == .forbidden && page.contains(message))
        }
        try await eventually { try await !harness.store.resetActivities(ActivityQuery()).isEmpty }
        let row = try #require(try await harness.store.resetActivities(ActivityQuery()).first)
        #expect(row.detail == .noCookies && row.userID == "alice@contoso.com" && row.result == .failed)
    }
}

@Suite struct ClientAddressTests {
    @Test(arguments: [
        ("203.0.113.9", "198.51.100.1", Set<String>(), "203.0.113.9"),  // a client's own header is ignored
        ("127.0.0.1", "198.51.100.1", Set<String>(), "198.51.100.1"),  // nginx on this machine
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", Set<String>(), "198.51.100.1"),  // only the entry the proxy added
        ("10.0.0.5", "198.51.100.1", Set(["10.0.0.5"]), "198.51.100.1"),  // a configured proxy elsewhere
        ("10.0.0.6", "198.51.100.1", Set(["10.0.0.5"]), "10.0.0.6"),
        ("127.0.0.1", nil, Set<String>(), "127.0.0.1"),
    ])
    func forwardedForIsBelievedOnlyFromTrustedProxies(peer: String, forwarded: String?, trusted: Set<String>, expected: String) {
        #expect(WebContext.clientAddress(peer: peer, forwardedFor: forwarded, trustedProxies: trusted) == expected)
    }

    /// An IPv6 client counts by its /64, so that walking through its addresses is one client; a mapped IPv4 as IPv4.
    @Test(arguments: [
        ("::1", "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"), ("::1", "2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("2001:db8:9:9::7", "", "2001:db8:9:9::/64"), ("::1", "::ffff:198.51.100.7", "198.51.100.7"),
    ])
    func anIPv6ClientCountsByItsSlash64(_ peer: String, _ forwarded: String, _ expected: String) {
        #expect(WebContext.clientAddress(peer: peer, forwardedFor: forwarded.isEmpty ? nil : forwarded, trustedProxies: []) == expected)
    }
}
