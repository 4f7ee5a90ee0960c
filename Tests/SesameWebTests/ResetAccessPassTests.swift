import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import SesameTestSupport
import Testing

@testable import SesameWeb

/// A reset with a temporary access pass: every gate at once, once; a wrong pass counts toward the 24-hour block
/// (docs/behaviour.md#temporary-access-pass).
@Suite struct ResetAccessPassTests {
    func issue(for userID: String, _ harness: Harness, terms: AccessPassTerms = AccessPassTerms()) async throws -> String {
        try await AccessPassService.testing(store: harness.store, clock: harness.clock, outbox: harness.queue)
            .issue(to: userID, terms: terms, authority: [.globalAdmin], actor: "helpdesk@contoso.com").pass
    }

    @Test(arguments: [
        ("en", "I have a temporary access pass from my helpdesk", "This pass is not valid", "Your password has been reset"),
        ("fr", "J’ai un passe d’accès temporaire de mon support", "Ce passe n’est pas valide", "Votre mot de passe a été réinitialisé"),
    ])
    func someoneWhoLostEveryMethodResetsOnceWithAPass(_ language: String, _ summary: String, _ wrong: String, _ done: String) async throws {
        let harness = try await Harness()
        try await harness.addUser(registered: true)
        try await harness.browse { browser in
            let page = try await browser.startReset("alice@contoso.com")
            #expect(page.contains("We could not verify your account"), "no method, no pass yet")
        }
        let pass = try await issue(for: "alice@contoso.com", harness)
        try await harness.browse { browser in
            #expect(try await browser.startReset("alice@contoso.com", language: language).location == "/reset/verify")
            let gate = try await browser.get("/reset/verify")
            #expect(gate.contains(summary) && gate.body.contains("<details class=\"access-pass\" open>") && !gate.body.contains("action=\"/reset/option\""))
            let refused = try await browser.post("/reset/access-pass", [("pass", "abcd-efgh-jkmn")])
            #expect(refused.status == .unprocessableContent && refused.contains(wrong))
            #expect(try await browser.post("/reset/access-pass", [("pass", pass.uppercased())]).location == "/reset/verify")
            #expect(try await browser.get("/reset/verify").location == "/reset/password")
            #expect(try await browser.post("/reset/password", [("new", "Yt7$Mx3!Ps9j"), ("confirm", "Yt7$Mx3!Ps9j")]).contains(done))
        }
        let row = try #require(try await harness.store.resetActivities(ActivityQuery()).first)
        #expect(row.result == .succeeded && row.methodsUsed == [.accessPass])
        try await harness.browse { browser in
            // Spent: with no method left either, the next reset cannot verify the user.
            let again = try await browser.startReset("alice@contoso.com")
            #expect(again.contains("We could not verify your account"))
            let signedIn = try await browser.signIn(password: "Yt7$Mx3!Ps9j")
            #expect(signedIn == "/signin/interrupt?kind=register", "signed in, and asked to register methods")
        }
    }

    @Test func aPassStandsForBothOfAnAdministratorsGates() async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [.globalAdmin], mobile: "+33 6 12 34 56 78", email: "alice@example.org", registered: true)
        let pass = try await issue(for: "alice@contoso.com", harness)
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com")
            let gate = try await browser.get("/reset/verify")
            #expect(gate.body.contains("action=\"/reset/option\"") && gate.body.contains("<details class=\"access-pass\">"), "closed beside the options")
            #expect(try await browser.post("/reset/access-pass", [("pass", pass)]).location == "/reset/verify")
            #expect(try await browser.get("/reset/verify").location == "/reset/password")
        }
    }

    @Test func fiveWrongPassesBlockTheUser() async throws {
        let harness = try await Harness()
        try await harness.addUser(email: "alice@example.org", registered: true)
        let pass = try await issue(for: "alice@contoso.com", harness)
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com")
            for _ in 1...4 { #expect(try await browser.post("/reset/access-pass", [("pass", "abcd-efgh-jkmn")]).status == .unprocessableContent) }
            #expect(try await browser.post("/reset/access-pass", [("pass", "abcd-efgh-jkmn")]).status == .tooManyRequests)
            #expect(try await browser.startReset("alice@contoso.com").status == .tooManyRequests)
            #expect(try await browser.post("/reset/access-pass", [("pass", pass)]).location == "/reset", "no flow to pass")
        }
        #expect(try await harness.store.accessPass(ofUser: try #require(try await harness.store.user(userID: "alice@contoso.com")).id)?.usedAt == nil)
        let row = try #require(try await harness.store.resetActivities(ActivityQuery()).first { $0.result == .blocked })
        #expect(row.detail == .blockedInvalidCodes(.accessPass))
    }
}
