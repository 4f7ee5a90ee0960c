import Foundation
import HTTPTypes
import SesameCore
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// A change of password checks the current one: a stolen session must not be a way around sign-in's smart lockout,
/// so wrong current passwords there count as wrong sign-ins do (docs/security.md#sign-in-lockout).
@Suite struct ChangePasswordLockoutTests {
    static let locked = "Your account is temporarily locked to prevent unauthorized use."

    @Test(arguments: ["/account/password", "/signin/expired"])
    func wrongCurrentPasswordsLockSignInToo(_ path: String) async throws {
        let harness = try await Harness()
        if path == "/signin/expired" { try await harness.setPolicy(.passwordExpiryDays, "30") }
        try await harness.addUser(mobile: "+33 6 12 34 56 78", registered: true)
        if path == "/signin/expired" { harness.clock.advance(by: 31 * 86_400) }
        try await harness.browse { browser in
            try await browser.signIn()
            try await browser.get(path)
            for guess in 1...SignInLockout.threshold {
                let wrong = try await browser.post(path, [("current", "wrong-\(guess)"), ("new", "Yt7$Mx3!Ps9j"), ("confirm", "Yt7$Mx3!Ps9j")])
                #expect(wrong.status == .unprocessableContent)
            }
            // Locked: even the right password is not checked any more, here or at sign-in.
            let right = try await browser.post(path, [("current", goodPassword), ("new", "Yt7$Mx3!Ps9j"), ("confirm", "Yt7$Mx3!Ps9j")])
            #expect(right.status == .unprocessableContent && right.contains(Self.locked))
        }
        let user = try #require(try await harness.store.user(userID: "alice@contoso.com"))
        #expect(user.lockout.failures == SignInLockout.threshold && user.lockout.isLocked(at: harness.clock.now))
        try await harness.browse { browser in
            try await browser.get("/signin")
            let signIn = try await browser.post("/signin", [("userID", "alice@contoso.com"), ("password", goodPassword)])
            #expect(signIn.status == .forbidden && signIn.contains(Self.locked))
        }
    }
}
