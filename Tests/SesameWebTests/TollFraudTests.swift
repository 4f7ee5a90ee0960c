import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import Testing

@testable import SesameWeb

/// docs/security.md#toll-fraud: the phone rule at every entry and every send of the portals. The harness's outbox is
/// the development provider, so an empty outbox means no provider was asked to text or call.
@Suite struct TollFraudTests {
    // MARK: Entries

    @Test(arguments: [
        ("en", "FR", "08 91 23 45 67", "sms", "this is a premium-rate, shared-cost, satellite or other service number"),
        ("en", "GB", "0909 876 5432", "voice", "this is a premium-rate, shared-cost, satellite or other service number"),
        ("en", "FR", "01 23 45 67 89", "sms", "this is a landline, which cannot receive text messages"),
        ("fr", "FR", "08 99 12 34 56", "voice", "ce numéro est surtaxé, à coûts partagés, satellite ou d’un autre service"),
        ("fr", "FR", "01 23 45 67 89", "sms", "ce numéro est une ligne fixe, qui ne peut pas recevoir de SMS"),
    ])
    func registrationRefusesWhatCannotBeTextedOrCalled(
        _ language: String, _ country: String, _ number: String, _ channel: String, _ message: String
    ) async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn(language: language)
            try await browser.get("/register/phone")
            let page = try await browser.post("/register/phone", [("country", country), ("number", number), ("channel", channel)])
            #expect(page.status == .unprocessableContent && page.contains(message))
            #expect(page.body.contains("value=\"\(number)\""), "what was typed is shown again")
        }
        #expect(harness.outbox.messages.isEmpty)
        #expect(try await harness.store.user(userID: "alice@contoso.com")?.authentication.authenticationPhone == nil)
    }

    @Test func aLandlineIsCalled() async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn()
            try await browser.get("/register/phone")
            try await browser.post("/register/phone", [("country", "FR"), ("number", "01 23 45 67 89"), ("channel", "voice")])
        }
        #expect(harness.outbox.messages.map(\.channel) == [.voice] && harness.outbox.messages.map(\.to) == ["+33123456789"])
    }

    @Test func theAdministratorsFormRefusesAPremiumNumber() async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [.globalAdmin])
        try await harness.addUser("bob@contoso.com", mobile: "+33 6 12 34 56 78")
        try await harness.browse { browser in
            try await browser.signIn()
            try await browser.get("/admin/users/bob%40contoso.com")
            let refused = try await browser.post("/admin/users/bob%40contoso.com", [
                ("displayName", "Bob"), ("mobilePhone", "+33 8 91 23 45 67"), ("officePhone", "+882 342 1234"), ("enabled", "true"),
            ])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.contains("Mobile phone: this is a premium-rate, shared-cost, satellite or other service number"))
        }
        let bob = try #require(try await harness.store.user(userID: "bob@contoso.com"))
        #expect(bob.authentication.mobilePhone?.e164 == "+33612345678" && bob.authentication.officePhone == nil, "nothing saved")
    }

    // MARK: Numbers on file

    @Test func theResetPageOffersOnlyWhatTheRuleAllows() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.allowedCountryCodes, "33")
        // Saved before the policy was tightened, or by a directory sync before this rule.
        try await harness.addUser(mobile: "+44 7400 123456", email: "alice@example.org", registered: true)
        try await harness.addUser("bob@contoso.com", mobile: "+33 1 23 45 67 89", registered: true)
        try await harness.browse { browser in
            #expect(try await browser.startReset("alice@contoso.com").location == "/reset/verify")
            let alice = try await browser.get("/reset/verify")
            #expect(alice.contains("Email my alternate email") && !alice.contains("+44"), "the number abroad is not offered")
            #expect(try await browser.post("/reset/option", [("option", "mobileSMS")]).location == "/reset/verify")
            #expect(try await browser.post("/reset/phone", [("number", "+44 7400 123456")]).location == "/reset/verify")
        }
        try await harness.browse { browser in
            #expect(try await browser.startReset("bob@contoso.com").location == "/reset/verify")
            let bob = try await browser.get("/reset/verify")
            #expect(bob.contains("Call my mobile phone (+33 1•• •• •• 89)"))
            #expect(!bob.contains("Text my mobile phone"), "a landline is only called")
            try await browser.post("/reset/option", [("option", "mobileSMS")])
            #expect(try await browser.post("/reset/phone", [("number", "01 23 45 67 89")]).location == "/reset/verify")
        }
        #expect(harness.outbox.messages.isEmpty, "no text abroad, no text to a landline")
    }

    @Test func aUserLeftWithoutAMethodCannotBeVerifiedAndTheReportSaysWhy() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.allowedCountryCodes, "33")
        try await harness.addUser(mobile: "+44 7400 123456", registered: true)
        try await harness.browse { browser in
            let page = try await browser.startReset("alice@contoso.com")
            #expect(page.contains("We could not verify your account"))
        }
        #expect(harness.outbox.messages.isEmpty)
        #expect(try await harness.store.resetActivities(ActivityQuery()).map(\.detail) == [.phoneNotAllowed])
    }

    @Test func aNumberRefusedAfterItWasOfferedIsNotSentTo() async throws {
        let harness = try await Harness()
        try await harness.addUser(mobile: "+44 7400 123456", email: "alice@example.org", registered: true)
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com")
            #expect(try await browser.get("/reset/verify").contains("Text my mobile phone (+44 7"))
            try await browser.post("/reset/option", [("option", "mobileSMS")])
            // The policy is tightened while the user types the number.
            try await harness.setPolicy(.allowedCountryCodes, "33")
            #expect(try await browser.post("/reset/phone", [("number", "+44 7400 123456")]).location == "/reset/verify")
            let options = try await browser.get("/reset/verify")
            #expect(options.contains("Email my alternate email") && !options.contains("+44"), "back to the options left")
        }
        #expect(harness.outbox.messages.isEmpty)
    }
}
