import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import SesameTestSupport
import Testing

@testable import SesameWeb

/// Step-up before a change of methods (docs/behaviour.md#step-up): a registered user proves who they are with one
/// existing method, at most ten minutes before; a first registration needs the password only; the one gate never
/// opens a new password; a block stops every change.
@Suite struct StepUpTests {
    @Test func aFirstRegistrationNeedsThePasswordOnlyThenItsMethodsFollowOneAnother() async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn()
            #expect(try await browser.get("/register/email").status == .ok, "nothing to prove with: the password only")
            try await browser.post("/register/email", [("address", "alice@example.org")])
            #expect(try await browser.post("/register/verify", [("code", try harness.lastCode().code)]).status == .ok)
            harness.clock.advance(by: 9 * 60)
            #expect(try await browser.get("/register/phone").status == .ok, "the second method follows without a proof by the first")
            harness.clock.advance(by: 60)
            #expect(try await browser.get("/register/phone").location == "/reset/verify", "ten minutes on, the email proves")
        }
    }

    /// Whether Finish was ever pressed does not matter: a method a reset would take must be proved before it is
    /// replaced — one an administrator pre-populated, one of a registration left unfinished, one kept through an
    /// administrator's "register again".
    @Test func everyMethodAResetWouldTakeIsProvedBeforeItIsReplaced() async throws {
        let harness = try await Harness()
        try await harness.addUser(mobile: "+33 6 12 34 56 78")
        var bob = try await harness.addUser("bob@contoso.com")
        bob.authentication.authenticationPhone = try PhoneNumber(international: "+33 6 12 34 56 79")
        try await harness.store.updateUser(bob)
        var carol = try await harness.addUser("carol@contoso.com", registered: true)
        carol.authentication.authenticationEmail = try EmailAddress("carol@example.org")
        carol.registration = RegistrationState()
        try await harness.store.updateUser(carol)
        for userID in ["alice@contoso.com", "bob@contoso.com", "carol@contoso.com"] {
            try await harness.browse { browser in
                try await browser.signIn(userID)
                #expect(try await browser.get("/register/email").location == "/reset/verify", "\(userID) has a method to prove with")
                try await browser.get("/register")
                #expect(try await browser.post("/register/email", [("address", "mallory@evil.test")]).location == "/reset/verify")
            }
        }
        #expect(harness.outbox.messages.isEmpty, "no code went to the attacker's address")
    }

    @Test func theTenMinutesStartWhenTheGateIsPassed() async throws {
        let harness = try await Harness()
        try await harness.addUser(email: "alice@example.org", registered: true)
        try await harness.browse { browser in
            try await browser.signIn()
            try await passTheGateByEmail(browser, harness)
            // The gate is passed, and its page not seen again for 14 minutes.
            harness.clock.advance(by: 14 * 60)
            #expect(try await browser.get("/register/email").location == "/reset/verify")
            try await browser.get("/reset/verify")
            #expect(try await browser.get("/register/email").location == "/reset/verify", "14 minutes after the gate, no proof")
        }
    }

    @Test(arguments: [
        ("en", "Confirm it's you", "prove it's you with one of the methods you already registered"),
        ("fr", "Confirmez votre identité", "prouvez votre identité avec l’une des méthodes que vous avez déjà inscrites"),
    ])
    func aRegisteredUserProvesWithAMethodBeforeAChange(_ language: String, _ heading: String, _ intro: String) async throws {
        let harness = try await Harness()
        try await harness.addUser(email: "alice@example.org", registered: true)
        try await harness.browse { browser in
            try await browser.signIn(language: language)
            #expect(try await browser.get("/register").status == .ok, "the overview needs no proof")
            #expect(try await browser.get("/register/phone").location == "/reset/verify")
            let gate = try await browser.get("/reset/verify")
            #expect(gate.contains("<h1>\(heading)</h1>") && gate.contains(intro) && gate.contains("<title>\(heading)"))
            #expect(try await browser.post("/reset/option", [("option", "email")]).location == "/reset/verify")
            let (code, message) = try harness.lastCode()
            #expect(message.to == "alice@example.org")
            #expect(try await browser.post("/reset/code", [("code", code)]).location == "/reset/verify")
            #expect(try await browser.get("/reset/verify").location == "/register", "the proof opens the registration portal")
            let form = try await browser.get("/register/phone")
            #expect(form.status == .ok && form.contains("name=\"number\""))
            let sent = try await browser.post("/register/phone", [("country", "FR"), ("number", "06 12 34 56 78"), ("channel", "sms")])
            #expect(sent.status == .ok)
            #expect(try await browser.post("/register/verify", [("code", try harness.lastCode().code)]).status == .ok)
        }
        #expect(try await harness.store.user(userID: "alice@contoso.com")?.authentication.authenticationPhone?.e164 == "+33612345678")
        #expect(try await harness.store.resetActivities(ActivityQuery()).isEmpty, "a step-up is no reset in the report")
    }

    @Test func theProofLastsTenMinutesAndServesOnlyItsUser() async throws {
        let harness = try await Harness()
        let alice = try await harness.addUser(email: "alice@example.org", registered: true)
        try await harness.browse { browser in
            try await browser.signIn()
            try await harness.stepUp(browser, at: "/register/email")
            harness.clock.advance(by: 9 * 60)
            #expect(try await browser.get("/register/email").status == .ok)
            harness.clock.advance(by: 60)
            #expect(try await browser.get("/register/email").location == "/reset/verify", "ten minutes later, a new proof")
        }
        let proof = StepUpProof(userID: alice.id, provedAt: harness.clock.now)
        let bob = User(userID: "bob@contoso.com", displayName: "Bob", createdAt: harness.clock.now)
        #expect(proof.covers(alice, at: harness.clock.now) && !proof.covers(bob, at: harness.clock.now))
        #expect(!proof.covers(alice, at: harness.clock.now.addingTimeInterval(-1)), "a clock set back does not stretch it")
    }

    @Test func aStepUpNeverOpensTheNewPassword() async throws {
        let harness = try await Harness()
        try await harness.addUser(email: "alice@example.org", registered: true)
        try await harness.browse { browser in
            try await browser.signIn()
            try await passTheGateByEmail(browser, harness)
            // The gate is passed and the flow still in the session: the password pages stay shut.
            #expect(try await browser.get("/reset/password").location == "/reset/verify")
            #expect(try await browser.post("/reset/password", [("new", "Yt7$Mx3!Ps9j"), ("confirm", "Yt7$Mx3!Ps9j")]).location == "/reset/verify")
            #expect(try await browser.post("/reset/unlock", []).location == "/reset/password?choose=password")
        }
        let user = try #require(try await harness.store.user(userID: "alice@contoso.com"))
        #expect(await fastHasher.verify(goodPassword, against: user.passwordHash ?? ""), "the password is unchanged")
    }

    @Test func wrongProofsCountTowardTheBlockWhichStopsEveryChange() async throws {
        let harness = try await Harness()
        try await harness.addUser(registered: true)
        let pass = try await AccessPassService.testing(store: harness.store, clock: harness.clock, outbox: harness.queue)
            .issue(to: "alice@contoso.com", terms: AccessPassTerms(), authority: [.globalAdmin], actor: "helpdesk@contoso.com").pass
        try await harness.browse { browser in
            try await browser.signIn(language: "fr")
            #expect(try await browser.get("/register/authenticator").location == "/reset/verify")
            try await browser.get("/reset/verify")
            for _ in 1...5 { try await browser.post("/reset/access-pass", [("pass", "abcd-efgh-jkmn")]) }
            let blocked = try await browser.get("/register/authenticator")
            #expect(blocked.status == .tooManyRequests && blocked.contains("Vos informations de sécurité ne peuvent pas être modifiées"))
            #expect(try await browser.post("/reset/access-pass", [("pass", pass)]).location != "/register", "the right pass no longer helps")
        }
        #expect(try await harness.store.auditEvents(ActivityQuery()).contains { $0.activity == .blocked })
    }

    @Test func aTemporaryAccessPassLetsAUserWhoLostEveryMethodRegisterAgain() async throws {
        let harness = try await Harness()
        try await harness.addUser(registered: true)
        try await harness.browse { browser in
            try await browser.signIn()
            #expect(try await browser.get("/register/email").status == .ok, "nothing to prove with: the password only")
        }
        let pass = try await AccessPassService.testing(store: harness.store, clock: harness.clock, outbox: harness.queue)
            .issue(to: "alice@contoso.com", terms: AccessPassTerms(), authority: [.globalAdmin], actor: "helpdesk@contoso.com").pass
        try await harness.browse { browser in
            try await browser.signIn()
            #expect(try await browser.get("/register/email").location == "/reset/verify", "a pass proves like a method")
            let gate = try await browser.get("/reset/verify")
            #expect(gate.body.contains("<details class=\"access-pass\" open>"))
            #expect(try await browser.post("/reset/access-pass", [("pass", pass)]).location == "/reset/verify")
            #expect(try await browser.get("/reset/verify").location == "/register")
            #expect(try await browser.get("/register/email").status == .ok)
        }
        #expect(try await harness.store.accessPass(ofUser: try #require(try await harness.store.user(userID: "alice@contoso.com")).id)?.usedAt != nil,
                "the single-use pass is spent")
    }

    @Test func cancellingAStepUpLeadsBackToTheRegistrationPortal() async throws {
        let harness = try await Harness()
        try await harness.addUser(email: "alice@example.org", registered: true)
        try await harness.browse { browser in
            try await browser.signIn()
            #expect(try await browser.get("/register/email").location == "/reset/verify")
            try await browser.get("/reset/verify")
            #expect(try await browser.post("/reset/cancel", []).location == "/register")
            #expect(try await browser.get("/reset/verify").location == "/reset", "no flow left")
        }
        #expect(try await harness.store.resetActivities(ActivityQuery()).isEmpty)
    }

    /// A change asks for the step-up, and its gate is passed by email, the redirect not followed.
    private func passTheGateByEmail(_ browser: Browser, _ harness: Harness) async throws {
        #expect(try await browser.get("/register/email").location == "/reset/verify")
        try await browser.get("/reset/verify")
        try await browser.post("/reset/option", [("option", "email")])
        #expect(try await browser.post("/reset/code", [("code", try harness.lastCode().code)]).location == "/reset/verify")
    }
}
