import Foundation
import HTTPTypes
import SesameCore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// "This wasn't me" over HTTP (docs/behaviour.md#this-wasnt-me): a GET only shows the confirmation, the form's POST
/// acts once, and a signed-in browser of the user is signed out.
@Suite(.serialized) struct ReportLinkPageTests {
    @Test func aGetOnlyAsksAndThePostActsOnceAndSignsTheUserOut() async throws {
        let harness = try await Harness()
        let alice = try await harness.addUser(email: "alice@example.org", registered: true)
        let link = try await harness.reportLinks.issue(for: alice.id, event: .passwordReset, language: .french)
        #expect(link.hasPrefix("\(Harness.publicURL)/wasnt-me/") && link.hasSuffix("?lang=fr"))
        let path = String(link.dropFirst(Harness.publicURL.count))
        try await harness.browse { signedIn in
            #expect(try await signedIn.signIn() == "/account")
            try await harness.browse { visitor in
                // A mail scanner fetches the link twice: nothing happens.
                for _ in 1...2 {
                    let page = try await visitor.get(path)
                    #expect(page.status == .ok && page.contains("Oui, ce n’était pas moi") && page.contains("method=\"post\""))
                }
                #expect(try await signedIn.get("/account").status == .ok, "a GET ends no session")
                #expect(try await harness.store.auditEvents(ActivityQuery()).allSatisfy { $0.activity != .reportedEvent })

                let done = try await visitor.post(path, [])
                #expect(done.status == .ok && done.contains("Merci de nous avoir prévenus"))
                #expect(try await signedIn.get("/account").location?.hasPrefix("/signin") == true, "the user's browser is signed out")
                #expect(try await harness.store.auditEvents(ActivityQuery()).filter { $0.activity == .reportedEvent }.count == 1)
                let blocked = try await visitor.startReset("alice@contoso.com", language: "fr")
                #expect(blocked.status == .tooManyRequests && blocked.contains("Veuillez utiliser une autre option."), "resets are blocked")
                // The administrators see until when.
                try await harness.addUser("helpdesk@contoso.com", roles: [.helpdeskAdmin], registered: true)
                try await visitor.signIn("helpdesk@contoso.com", language: "en")
                let userPage = try await visitor.get("/admin/users/alice@contoso.com")
                #expect(userPage.contains(AdminUsersController.timestamp(harness.clock.now.addingTimeInterval(86_400))))
                _ = try await visitor.post("/signout", [])

                _ = try await visitor.get("/reset?lang=fr")
                let replay = try await visitor.post(path, [])
                #expect(replay.contains("Ce lien ne peut pas être utilisé"), "a replay is refused")
                #expect(try await harness.store.auditEvents(ActivityQuery()).filter { $0.activity == .reportedEvent }.count == 1)
            }
        }
    }

    @Test func anUnknownLinkShowsThePlainMessageAndAPostWithoutCSRFIsRefused() async throws {
        let harness = try await Harness()
        let alice = try await harness.addUser()
        let link = try await harness.reportLinks.issue(for: alice.id, event: .methodsChanged, language: .english)
        let path = String(link.dropFirst(Harness.publicURL.count))
        try await harness.browse { browser in
            let unknown = try await browser.get("/wasnt-me/\(String(repeating: "A", count: 43))")
            #expect(unknown.status == .ok && unknown.contains("This link cannot be used"))
            #expect(try await browser.get("/wasnt-me/short").contains("This link cannot be used"))
            _ = try await browser.get(path)
            let forged = try await browser.post(path, [], includeCSRF: false)
            #expect(forged.status == .forbidden)
            #expect(try await harness.reportLinks.isLive(String(path.dropFirst(ReportLinks.path.count).prefix(ReportLink.tokenLength))))
        }
    }
}
