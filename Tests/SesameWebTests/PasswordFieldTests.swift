import Foundation
import SesameTestSupport
import Testing

@testable import SesameWeb

/// OWASP ASVS 5.0 6.2.6, 6.2.7 and 7.4.4 on the pages themselves: every password field hides what is typed and tells
/// password managers what it holds, nothing blocks paste, and every page of a signed-in user offers sign-out.
@Suite struct PasswordFieldTests {
    @Test func passwordFieldsHideTheInputAndLetManagersFillThem() async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            var pages = [try await browser.get("/signin")]
            try await browser.signIn()
            pages.append(try await browser.get("/account/password"))
            for page in pages {
                let fields = page.body.matches(of: /<input[^>]*name="(password|current|new|confirm)"[^>]*>/).map { String($0.output.0) }
                #expect(!fields.isEmpty)
                for field in fields {
                    #expect(field.contains("type=\"password\""), "\(field)")
                    #expect(field.contains("autocomplete=\"current-password\"") || field.contains("autocomplete=\"new-password\""), "\(field)")
                }
                #expect(!page.body.contains("onpaste") && !page.body.contains("autocomplete=\"off\" type=\"password\""))
            }
        }
    }

    @Test func everyPageOfASignedInUserOffersSignOut() async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn()
            for path in ["/account", "/account/password", "/register"] {
                #expect(try await browser.get(path).body.contains("action=\"/signout\""), "\(path)")
            }
        }
    }
}
