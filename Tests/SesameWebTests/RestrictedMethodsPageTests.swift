import Foundation
import HTTPTypes
import SesameCore
import SesameTestSupport
import Testing

/// The standards' rules on the pages (docs/behaviour.md#administration, #registration-portal): the policy page gives
/// the reason beside each restricted method and offers `requireNonPhoneMethod`; with it on, a phone alone does not
/// get the user past sign-in's registration interrupt, and the registration page says why.
@Suite struct RestrictedMethodsPageTests {
    @Test(arguments: [("en", "NIST SP 800-63B-4", "ASVS 5.0 (6.4.2) forbids security questions"), ("fr", "NIST SP 800-63B-4", "ASVS 5.0 (6.4.2) interdit les questions de sécurité")])
    func thePolicyPageMarksTheRestrictedMethods(language: String, nist: String, asvs: String) async throws {
        let harness = try await Harness()
        try await harness.addUser("admin@contoso.com", roles: [.globalAdmin], email: "admin@example.org", registered: true)
        try await harness.browse { browser in
            try await browser.signIn("admin@contoso.com", language: language)
            let page = try await browser.get("/admin/policy")
            #expect(page.status == .ok)
            #expect(page.contains(asvs))
            #expect(page.body.matches(of: /class="help restricted">[^<]*NIST SP 800-63B-4/).count == 2, "both phones carry the reason")
            #expect(page.body.contains("name=\"requireNonPhoneMethod\" value=\"false\" checked"))
        }
    }

    /// ASVS 5.0 6.6.1: a user who registers a phone is told its risk.
    @Test(arguments: [("en", "Codes by text or call can be intercepted"), ("fr", "Les codes par SMS ou par appel peuvent être interceptés")])
    func thePhoneFormTellsTheUserTheRisk(language: String, risk: String) async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn(language: language)
            let form = try await browser.get("/register/phone")
            #expect(form.status == .ok && form.contains(risk))
        }
    }

    /// `prepopulatedForReset` is offered, on by default, with its risk told in the page's language
    /// (docs/security.md#pre-populated-contact-data); saving it off is kept.
    @Test(arguments: [
        ("en", "Risk: a number or address an administrator typed was never proven to belong to the user."),
        ("fr", "Risque : rien ne prouve qu’un numéro ou une adresse saisis par un administrateur appartiennent à l’utilisateur."),
    ])
    func thePolicyPageTellsTheRiskOfPrepopulatedData(language: String, risk: String) async throws {
        let harness = try await Harness()
        try await harness.addUser("admin@contoso.com", roles: [.globalAdmin], email: "admin@example.org", registered: true)
        try await harness.browse { browser in
            try await browser.signIn("admin@contoso.com", language: language)
            let page = try await browser.get("/admin/policy")
            #expect(page.contains(risk))
            #expect(page.body.contains("name=\"prepopulatedForReset\" value=\"true\" checked"))
        }
        try await harness.setPolicy(.prepopulatedForReset, "false")
        #expect(try await harness.policies.policy().prepopulatedForReset == false)
    }

    @Test func aPhoneAloneKeepsTheInterruptComingUntilEmailIsThere() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.requireNonPhoneMethod, "true")
        var alice = try await harness.addUser(mobile: "+33 6 12 34 56 78", registered: true)
        try await harness.browse { browser in
            #expect(try await browser.signIn() == "/signin/interrupt?kind=register")
            let register = try await browser.get("/register")
            #expect(register.contains("at least one method that is neither a phone nor security questions"))
            #expect(register.body.contains("disabled>"), "Finish waits")
        }
        alice.authentication.alternateEmail = try EmailAddress("alice@example.org")
        try await harness.store.updateUser(alice)
        try await harness.browse { browser in
            let next = try await browser.signIn()
            #expect(next == "/account", "email on file: registration complete")
        }
    }
}
