import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import SesameDirectory
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// `/admin/policy`: who may see and change it, every knob on the page, one audited save, and refusals that save
/// nothing.
@Suite struct AdminPolicyTests {
    /// The form as the page shows it, with `changes` applied: what a browser would post.
    func form(of page: Page, _ changes: [(String, String)], dropping dropped: Set<String> = []) -> [(String, String)] {
        var fields: [(String, String)] = []
        for match in page.body.matches(of: /<input type="(radio|checkbox)" name="([^"]+)" value="([^"]*)" checked>/) {
            fields.append((String(match.output.2), String(match.output.3)))
        }
        for match in page.body.matches(of: /<input type="(?:text|number)" id="[^"]+" name="([^"]+)" value="([^"]*)"/) {
            fields.append((String(match.output.1), String(match.output.2).replacingOccurrences(of: "&#39;", with: "'")))
        }
        for match in page.body.matches(of: /<textarea id="[^"]+" name="([^"]+)"[^>]*>([^<]*)<\/textarea>/) {
            fields.append((String(match.output.1), String(match.output.2)))
        }
        let changed = Set(changes.map(\.0))
        return fields.filter { !changed.contains($0.0) && !dropped.contains($0.0) } + changes
    }

    @Test func onlyAdministratorsSeeItAndOnlyGlobalAdministratorsSaveIt() async throws {
        let harness = try await Harness()
        try await harness.addUser("user@contoso.com")
        try await harness.addUser("helpdesk@contoso.com", roles: [.helpdeskAdmin])
        try await harness.browse { browser in
            #expect(try await browser.get("/admin/policy").location == "/signin")
            try await browser.signIn("user@contoso.com")
            let refused = try await browser.get("/admin/policy")
            #expect(refused.status == .forbidden && refused.contains("Your administrator has not enabled you to use this feature."))
        }
        try await harness.browse { browser in
            try await browser.signIn("helpdesk@contoso.com")
            #expect(try await browser.get("/account").contains("href=\"/admin\""))
            let page = try await browser.get("/admin/policy")
            #expect(page.status == .ok && page.contains("Only global administrators can change the policy"))
            let post = try await browser.post("/admin/policy", form(of: page, [("reconfirmDays", "30")]))
            #expect(post.status == .forbidden)
        }
        #expect(try await harness.store.policy() == nil, "nothing was saved")
    }

    @Test(arguments: [
        ("en", ["Self-service password reset enabled", "Number of questions required to reset", "Write back passwords to the directory",
                "Not configured (no directory is configured (SESAME_LDAP_URL))", "The administrator policy", "From 0 to 730; 0 never asks again."]),
        ("fr", ["Réinitialisation du mot de passe en libre-service activée", "Nombre de questions requises pour réinitialiser",
                "Réécrire les mots de passe dans l’annuaire", "Non configuré", "La stratégie des administrateurs"]),
    ])
    func everyKnobIsOnThePage(_ language: String, _ texts: [String]) async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [.globalAdmin])
        try await harness.browse { browser in
            try await browser.signIn(language: language)
            let page = try await browser.get("/admin/policy")
            for text in texts { #expect(page.contains(text), "\(text)") }
            for key in PolicyKey.allCases { #expect(page.body.contains("name=\"\(key.rawValue)\""), "\(key.rawValue) has a field") }
            // Every predefined question can be offered or withdrawn.
            #expect(page.body.matches(of: /name="predefinedQuestions" value="\d+" checked/).count == PredefinedQuestions.count)
        }
    }

    @Test func aSaveIsAuditedKnobByKnob() async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [.globalAdmin])
        try await harness.browse { browser in
            try await browser.signIn()
            let page = try await browser.get("/admin/policy")
            let saved = try await browser.post("/admin/policy", form(of: page, [
                ("reconfirmDays", "30"), ("customQuestions", "What was the name of your first manager?\r\nWhere did you meet your best friend?"),
            ]) + [("methods", "officePhone")])
            #expect(saved.location == "/admin/policy?saved=1")
            #expect(try await browser.get("/admin/policy?saved=1").contains("The policy was saved."))
        }
        let policy = try #require(try await harness.store.policy()?.policy)
        #expect(policy.reconfirmDays == 30 && policy.methods == [.mobilePhone, .email, .officePhone])
        #expect(policy.customQuestions == ["What was the name of your first manager?", "Where did you meet your best friend?"])
        let events = try await harness.store.auditEvents(ActivityQuery()).filter { $0.activity == .policyChange }
        #expect(Set(events.map(\.target)) == ["reconfirmDays", "methods", "customQuestions"])
        let reconfirm = try #require(events.first { $0.target == "reconfirmDays" })
        #expect(reconfirm.detail.contains("180") && reconfirm.detail.contains("30") && reconfirm.actor == "alice@contoso.com")
    }

    @Test func refusedValuesAreShownAndNothingIsSaved() async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [.globalAdmin])
        try await harness.browse { browser in
            try await browser.signIn()
            let page = try await browser.get("/admin/policy")
            let refused = try await browser.post("/admin/policy", form(of: page, [
                ("reconfirmDays", "999"), ("questionsToReset", "7"), ("organisationName", "Contoso"),
            ], dropping: ["methods"]))
            #expect(refused.status == .unprocessableContent && refused.contains("Nothing was saved"))
            #expect(refused.body.matches(of: /class="field-error"/).count == 3)
            #expect(refused.contains("999") && refused.contains("Contoso"), "what was typed is shown again")
            let forged = try await browser.post("/admin/policy", form(of: page, [("reconfirmDays", "30")]), csrf: "forged")
            #expect(forged.status == .forbidden)
        }
        #expect(try await harness.store.policy() == nil)
        #expect(try await harness.store.auditEvents(ActivityQuery()).allSatisfy { $0.activity != .policyChange })
    }

    @Test func theWritebackStatusIsTheDirectorysOwn() async throws {
        let target = TestDirectory.all[0]
        let reachable = try await Harness(directory: try target.directory())
        try await reachable.addUser(roles: [.globalAdmin])
        try await reachable.browse { browser in
            try await browser.signIn()
            #expect(try await browser.get("/admin/policy").contains("Status: <strong>Configured</strong>"))
        }
        let refused = try await Harness(directory: try target.directory { $0.bindPassword = "wrong" })
        try await refused.addUser(roles: [.globalAdmin])
        try await refused.browse { browser in
            try await browser.signIn()
            let page = try await browser.get("/admin/policy?lang=fr")
            #expect(page.contains("Non configuré (l’annuaire a refusé la connexion du compte de service"))
        }
    }

    /// `passwordRules` on the page, saved from it, and followed by the requirement the reset and change pages show;
    /// the expiry warning appears only while expiry is on (docs/behaviour.md#passwords).
    @Test func passwordRulesAndTheExpiryWarning() async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [.globalAdmin], registered: true)
        try await harness.browse { browser in
            try await browser.signIn()
            let page = try await browser.get("/admin/policy")
            #expect(page.contains("NIST SP 800-63B-4: 15 to 256 characters") && !page.contains("Forced rotation is discouraged"))
            #expect(try await browser.get("/account/password").contains("Use 8 to 256 characters"))
            let saved = try await browser.post("/admin/policy", form(of: page, [("passwordRules", "nist"), ("passwordExpiryDays", "90")]))
            #expect(saved.location == "/admin/policy?saved=1")
            #expect(try await harness.store.policy()?.policy.passwordRules == .nist)
            #expect(try await browser.get("/admin/policy").contains("Forced rotation is discouraged by NIST SP 800-63B-4"))
            let change = try await browser.get("/account/password")
            #expect(change.contains("Use 15 to 256 characters, any you like"))
            let short = try await browser.post("/account/password", [("current", goodPassword), ("new", "Zq8#Lw4!Vr2kX"), ("confirm", "Zq8#Lw4!Vr2kX")])
            #expect(short.status == .unprocessableContent && short.contains("at least 15 characters"))
            #expect(try await browser.get("/admin/policy?lang=fr").contains("La rotation forcée est déconseillée"))
        }
    }
}
