import Foundation
import HTTPTypes
import SesameCore
import SesameStore
import Testing

@testable import SesameWeb

@Suite struct ChangePasswordTests {
    @Test(arguments: [
        ("en", "Your current password is incorrect.", "The new passwords don't match.", "Your password has been changed."),
        ("fr", "Votre mot de passe actuel est incorrect.", "Les nouveaux mots de passe ne correspondent pas.", "Votre mot de passe a été changé."),
    ])
    func changeKnowingTheCurrentPassword(_ language: String, _ wrongCurrent: String, _ mismatch: String, _ done: String) async throws {
        let harness = try await Harness()
        try await harness.addUser(mobile: "+33 6 12 34 56 78", registered: true)
        try await harness.browse { browser in
            try await browser.signIn(language: language)
            #expect(try await browser.get("/account").contains("href=\"/account/password\""))
            try await browser.get("/account/password")
            let wrong = try await browser.post("/account/password", [("current", "nope"), ("new", "Yt7$Mx3!Ps9j"), ("confirm", "Yt7$Mx3!Ps9j")])
            #expect(wrong.status == .unprocessableContent && wrong.contains(wrongCurrent))
            let mismatched = try await browser.post("/account/password", [("current", goodPassword), ("new", "Yt7$Mx3!Ps9j"), ("confirm", "Yt7$Mx3!Ps9k")])
            #expect(mismatched.contains(mismatch))
            let weak = try await browser.post("/account/password", [("current", goodPassword), ("new", "short"), ("confirm", "short")])
            #expect(weak.status == .unprocessableContent)
            let changed = try await browser.post("/account/password", [("current", goodPassword), ("new", "Yt7$Mx3!Ps9j"), ("confirm", "Yt7$Mx3!Ps9j")])
            #expect(changed.status == .ok && changed.contains(done))
        }
        try await harness.browse { browser in
            let old = try await browser.signIn(password: goodPassword)
            let new = try await browser.signIn(password: "Yt7$Mx3!Ps9j")
            #expect(old == nil, "the old password no longer works")
            #expect(new == "/account")
        }
        let audit = try await harness.store.auditEvents(ActivityQuery()).filter { $0.activity == .changePassword }
        #expect(audit.map(\.status) == [.success, .failure])
    }

    @Test func signedOutVisitorsCannotChange() async throws {
        let harness = try await Harness()
        try await harness.browse { browser in
            let page = try await browser.get("/account/password")
            let location = page.location
            #expect(location == "/signin")
        }
    }
}
