import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// Registration and reset with codes that really travel: through the SMS webhook to a local provider, read back out
/// of what the provider received.
@Suite struct WebhookDeliveryTests {
    @Test func registrationAndResetCodesArriveAtTheProvider() async throws {
        let provider = RecordingProvider()
        try await provider.run { url in
            let harness = try await Harness(phone: WebhookSender(url: url, secret: "shared-secret"))
            try await harness.addUser()
            try await harness.browse { browser in
                try await browser.signIn(language: "fr")
                try await browser.get("/register/phone")
                try await browser.post("/register/phone", [("country", "FR"), ("number", "06 12 34 56 78"), ("channel", "sms")])
                let registration = try #require(provider.requests.last)
                #expect(registration.fields["to"] == "+33612345678" && registration.fields["locale"] == "fr")
                #expect(registration.signature?.hasPrefix("sha256=") == true)
                #expect(try await browser.post("/register/verify", [("code", try #require(registration.code))]).contains("<h1>Merci</h1>"))
                try await browser.post("/signout", [])
                try await browser.startReset("alice@contoso.com", language: "fr")
                try await browser.post("/reset/option", [("option", "mobileSMS")])
                try await browser.post("/reset/phone", [("number", "06 12 34 56 78")])
                let reset = try #require(provider.requests.last)
                #expect(provider.requests.count == 2)
                try await browser.post("/reset/code", [("code", try #require(reset.code))])
                #expect(try await browser.get("/reset/verify").location == "/reset/password")
            }
            #expect(harness.outbox.messages.isEmpty, "nothing fell back to the console")
        }
    }

    @Test func aProviderFailureShowsTheOopsMessage() async throws {
        let provider = RecordingProvider(status: .internalServerError)
        try await provider.run { url in
            var impatient = Harness.queueSettings
            impatient.pageWait = .seconds(3)
            let harness = try await Harness(phone: WebhookSender(url: url, secret: nil), queueSettings: impatient)
            try await harness.addUser()
            try await harness.browse { browser in
                try await browser.signIn()
                try await browser.get("/register/phone")
                let page = try await browser.post("/register/phone", [("country", "FR"), ("number", "06 12 34 56 78"), ("channel", "sms")])
                #expect(page.contains("Oops! We encountered an unexpected error while contacting you."))
            }
        }
        // 500 is transient: the queue tried again before the page gave its answer.
        #expect(provider.requests.count >= 2)
    }

    @Test func aResetWhoseCodeCannotBeSentOffersTryAgainAndContactLater() async throws {
        let provider = RecordingProvider(status: .badRequest)
        try await provider.run { url in
            let harness = try await Harness(phone: WebhookSender(url: url, secret: nil))
            try await harness.addUser(mobile: "+33 6 12 34 56 78", registered: true)
            try await harness.browse { browser in
                try await browser.startReset("alice@contoso.com", language: "fr")
                try await browser.post("/reset/option", [("option", "mobileSMS")])
                let page = try await browser.post("/reset/phone", [("number", "06 12 34 56 78")])
                #expect(page.contains("Oups ! Une erreur inattendue s’est produite lors de la tentative de vous contacter."))
                #expect(page.contains(#"<div class="later"><a href="/reset/verify">Réessayer</a> · <form method="post" action="/reset/contact""#))
                #expect(page.contains(#"<button type="submit" class="link">Contacter votre administrateur</button></form>"#))
                #expect(!page.contains("Réessayez dans quelques secondes"), "the links that follow say it")
            }
            // 400 is a refusal: one attempt only.
            #expect(provider.requests.count == 1)
        }
    }
}
