import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import SesameTestSupport
import Testing

@testable import SesameWeb

/// A temporary access pass issued from the user's page: shown once, told to the user, refused out of bounds, revoked
/// (docs/behaviour.md#temporary-access-pass). Who may issue one is `AdminAuthorityTableTests`'.
@Suite struct AccessPassAdminTests {
    @Test func aHelpdeskAdministratorIssuesAPassThatIsShownOnceAndRevokesIt() async throws {
        let harness = try await Harness()
        try await harness.addUser("helpdesk@contoso.com", roles: [.helpdeskAdmin], registered: true)
        let bob = try await harness.addUser("bob@contoso.com", email: "bob@example.org")
        try await harness.browse { browser in
            try await browser.signIn("helpdesk@contoso.com", language: "fr")
            #expect(try await browser.get("/admin/users/bob%40contoso.com").contains("L’utilisateur n’a aucun passe utilisable."))
            let refused = try await browser.post("/admin/users/bob%40contoso.com/access-pass", [("lifetime", "5"), ("length", "12"), ("singleUse", "true")])
            #expect(refused.status == .unprocessableContent && refused.contains("un nombre entier de 10 à 1440"))
            let issued = try await browser.post("/admin/users/bob%40contoso.com/access-pass", [("lifetime", "30"), ("length", "8"), ("reusable", "true")])
            let pass = try #require(issued.body.firstMatch(of: /<code>([2-9a-z]{4}-[2-9a-z]{4})<\/code>/)?.output.1)
            #expect(issued.status == .ok && issued.contains("il ne sera plus affiché"))
            #expect(issued.headers[.cacheControl] == "no-store")
            let again = try await browser.get("/admin/users/bob%40contoso.com")
            #expect(!again.body.contains(String(pass)) && again.contains("Un passe réutilisable est valable jusqu’au"))
            let stored = try #require(try await harness.store.accessPass(ofUser: bob.id))
            #expect(stored.expiresAt == harness.clock.now.addingTimeInterval(1_800) && !stored.singleUse && stored.issuedBy == "helpdesk@contoso.com")
            #expect(await fastHasher.verify(pass.replacingOccurrences(of: "-", with: ""), against: stored.hash))
            #expect(try await browser.post("/admin/users/bob%40contoso.com/access-pass/revoke", []).location == "/admin/users/bob@contoso.com?done=passRevoked")
            #expect(try await browser.get("/admin/users/bob%40contoso.com?done=passRevoked").contains("Le passe d’accès temporaire est révoqué."))
        }
        #expect(try await harness.store.accessPass(ofUser: bob.id) == nil)
        let notice = try #require(harness.outbox.messages.first { $0.to == "bob@example.org" })
        #expect(notice.text.contains(ReportLinks.path), "with its This wasn't me link")
        let activities = try await harness.store.auditEvents(ActivityQuery()).map(\.activity)
        #expect(activities.contains(.accessPassIssued) && activities.contains(.accessPassRevoked))
    }
}
