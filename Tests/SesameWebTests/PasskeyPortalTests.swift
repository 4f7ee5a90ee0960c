import Foundation
import HTTPTypes
import SesameCore
import SesameTestSupport
import Synchronization
import Testing

@testable import SesameWeb

/// Passkeys through the pages and the API (docs/behaviour.md#passkeys): the forms carry options a script hands the
/// browser, and the answers are posted back as a browser would, signed by a software authenticator.
@Suite struct PasskeyPortalTests {
    static let origin = Harness.publicURL

    /// The JSON in the page's first `data-options`, as the script reads it.
    static func options(_ page: Page) throws -> [String: Any] {
        let escaped = try #require(page.body.firstMatch(of: /data-options="([^"]*)"/)).output.1
        let json = String(escaped).replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    /// The assertion fields a page's script posts for `authenticator`, made against `page`'s options.
    static func assertion(_ authenticator: inout SoftwareAuthenticator, for page: Page, origin: String = origin) throws -> [(String, String)] {
        let options = try options(page)
        let assertion = try authenticator.assert(
            challenge: try #require(options["challenge"] as? String), rpID: try #require(options["rpId"] as? String), origin: origin)
        return [
            ("credentialID", assertion.credentialID.base64URL), ("authenticatorData", assertion.authenticatorData.base64URL),
            ("clientDataJSON", assertion.clientDataJSON.base64URL), ("signature", assertion.signature.base64URL),
            ("userHandle", assertion.userHandle?.base64URL ?? ""),
        ]
    }

    /// A new authenticator holding a passkey of `user`'s.
    static func passkey(of user: User, in harness: Harness) async throws -> SoftwareAuthenticator {
        let authenticator = SoftwareAuthenticator.es256(credentialID: SystemRandomSource().bytes(32)).owned(by: user.id)
        try await harness.addPasskey(to: user.userID, authenticator: authenticator)
        return authenticator
    }

    @Test(arguments: ["en", "fr"])
    func aPasskeySignsInWithoutAUserID(_ language: String) async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "email,passkey")
        let authenticator = try await Self.passkey(of: try await harness.addUser(), in: harness)
        try await harness.browse { browser in
            var authenticator = authenticator
            let form = try await browser.get("/signin?lang=\(language)")
            #expect(form.contains(language == "fr" ? "Se connecter avec une clé d’accès" : "Sign in with a passkey"))
            let options = try Self.options(form)
            #expect(options["rpId"] as? String == "sesame.test" && (options["allowCredentials"] as? [Any])?.isEmpty == true)
            let fields = try Self.assertion(&authenticator, for: form)
            let signedIn = try await browser.post("/signin/passkey", fields)
            #expect(signedIn.status == .seeOther && signedIn.location == "/signin/interrupt?kind=register", "signed in, and asked to register")
            #expect(try await browser.get("/account").status == .ok)
            // The same answer again: its challenge is spent (and was this browser's signed-out token's).
            try await browser.post("/signout", [])
            try await browser.get("/signin")
            let replayed = try await browser.post("/signin/passkey", fields)
            #expect(replayed.status == .unauthorized && replayed.contains(language == "fr" ? "n’a pas été acceptée" : "was not accepted"))
        }
    }

    @Test func aWrongOriginOrMalformedFieldsAreRefusedPlainly() async throws {
        let harness = try await Harness()
        let authenticator = try await Self.passkey(of: try await harness.addUser(), in: harness)
        try await harness.browse { browser in
            var authenticator = authenticator
            let form = try await browser.get("/signin")
            let phished = try await browser.post("/signin/passkey", try Self.assertion(&authenticator, for: form, origin: "https://sesame.test.evil.example"))
            #expect(phished.status == .unauthorized)
            for fields in [
                [("credentialID", "!!!"), ("authenticatorData", "AA"), ("clientDataJSON", "AA"), ("signature", "AA")],
                [("credentialID", String(repeating: "A", count: 2_000)), ("authenticatorData", "AA"), ("clientDataJSON", "AA"), ("signature", "AA")],
                [],
            ] {
                let page = try await browser.post("/signin/passkey", fields)
                #expect(page.status == .unauthorized && page.contains("That passkey was not accepted."))
            }
            #expect(try await browser.get("/account").location == "/signin", "nobody signed in")
        }
    }

    @Test func aPasskeySessionStepsUpWithAnotherMethodAndARemovalEndsOtherSessions() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "email,passkey")
        let authenticator = try await Self.passkey(of: try await harness.addUser(email: "alice@example.org"), in: harness)
        let passkey = try #require(try await harness.store.passkey(credentialID: authenticator.credentialID))
        // Another browser, signed in with the password.
        try await harness.browse { other in
            try await other.signIn()
            #expect(try await other.get("/account").status == .ok)
            try await harness.browse { browser in
                var authenticator = authenticator
                let form = try await browser.get("/signin")
                #expect(try await browser.post("/signin/passkey", try Self.assertion(&authenticator, for: form)).status == .seeOther)
                #expect(try await browser.get("/register/passkey").location == "/reset/verify")
                let gate = try await browser.get("/reset/verify")
                #expect(gate.contains("Email my alternate email") || gate.contains("alternate email"))
                #expect(!gate.contains("value=\"passkey\""), "the passkey that opened the session cannot be its second proof")
                try await browser.post("/reset/option", [("option", "email")])
                try await browser.post("/reset/code", [("code", try harness.lastCode().code)])
                #expect(try await browser.get("/reset/verify").location == "/register")
                try await browser.get("/register/passkey")
                #expect(try await browser.post("/register/passkey/remove", [("id", passkey.id.uuidString)]).location == "/register/passkey")
                #expect(try await browser.get("/account").status == .ok, "this browser stays")
            }
            #expect(try await other.get("/account").location == "/signin", "the others end")
        }
    }

    @Test func aNewUserAddsNamesAndRemovesAPasskey() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "email,passkey")
        try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn()
            let page = try await browser.get("/register/passkey")
            #expect(page.status == .ok, "no method yet: no step-up")
            let options = try Self.options(page)
            #expect((options["rp"] as? [String: Any])?["id"] as? String == "sesame.test")
            #expect((options["authenticatorSelection"] as? [String: Any])?["userVerification"] as? String == "required")
            let attestation = SoftwareAuthenticator.edDSA(credentialID: SystemRandomSource().bytes(32))
                .register(challenge: try #require(options["challenge"] as? String), rpID: "sesame.test", origin: Self.origin)
            let thanks = try await browser.post("/register/passkey", [
                ("name", "Phone"), ("attestationObject", attestation.attestationObject.base64URL), ("clientDataJSON", attestation.clientDataJSON.base64URL),
            ])
            #expect(thanks.status == .ok && thanks.contains("Thanks"))
            let user = try #require(try await harness.store.user(userID: "alice@contoso.com"))
            let passkeys = try await harness.store.passkeys(userID: user.id)
            #expect(passkeys.map(\.name) == ["Phone"])
            #expect(try await browser.get("/register").contains("Passkeys registered: 1"))
        }
        // Now a method is registered: changing it asks for a step-up first.
        try await harness.browse { browser in
            try await browser.signIn()
            #expect(try await browser.get("/register/passkey").location == "/reset/verify")
        }
    }

    @Test func removingAPasskeyNeedsTheStepUpAndOnlyRemovesOnesOwn() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "email,passkey")
        try await harness.addUser(email: "alice@example.org")
        try await harness.addUser("bob@contoso.com")
        let alices = try await harness.addPasskey(to: "alice@contoso.com")
        let bobs = try await harness.addPasskey(to: "bob@contoso.com")
        try await harness.browse { browser in
            try await browser.signIn()
            try await browser.get("/register")
            let early = try await browser.post("/register/passkey/remove", [("id", alices.id.uuidString)])
            #expect(early.location == "/reset/verify")
            #expect(try await harness.store.passkeys(userID: alices.userID).count == 1, "nothing removed before the step-up")
            try await harness.stepUp(browser, at: "/register/passkey")
            let list = try await browser.get("/register/passkey")
            #expect(list.contains("Laptop") && list.contains("Remove the passkey Laptop"))
            try await browser.post("/register/passkey/remove", [("id", bobs.id.uuidString)])
            #expect(try await harness.store.passkeys(userID: bobs.userID).count == 1, "bob's passkey is not alice's to remove")
            #expect(try await browser.post("/register/passkey/remove", [("id", alices.id.uuidString)]).location == "/register/passkey")
            #expect(try await harness.store.passkeys(userID: alices.userID).isEmpty)
        }
    }

    @Test func aResetGateIsPassedWithAPasskey() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "email,passkey")
        let authenticator = try await Self.passkey(of: try await harness.addUser(email: "alice@example.org"), in: harness)
        try await harness.browse { browser in
            var authenticator = authenticator
            let start = try await browser.get("/reset?lang=fr")
            try await browser.post("/reset", [("userID", "alice@contoso.com")] + (Browser.solvedCaptcha(start) ?? []))
            #expect(try await browser.get("/reset/verify").contains("Utiliser une clé d’accès"))
            #expect(try await browser.post("/reset/option", [("option", "passkey")]).location == "/reset/verify")
            let gate = try await browser.get("/reset/verify")
            #expect(gate.contains("Utiliser ma clé d’accès"))
            #expect((try Self.options(gate)["allowCredentials"] as? [Any])?.isEmpty == true, "a reset's page names no credential")
            #expect(try await browser.post("/reset/passkey", try Self.assertion(&authenticator, for: gate)).location == "/reset/verify")
            #expect(try await browser.get("/reset/verify").location == "/reset/password")
        }
    }

    @Test func aUserAdministratorRemovesAUsersPasskeysButNotAGlobalAdministrators() async throws {
        let harness = try await Harness()
        try await harness.addUser(roles: [.userAdmin])
        let bob = try await harness.addUser("bob@contoso.com")
        let boss = try await harness.addUser("boss@contoso.com", roles: [.globalAdmin])
        try await harness.addPasskey(to: bob.userID)
        try await harness.addPasskey(to: bob.userID)
        try await harness.addPasskey(to: boss.userID)
        try await harness.browse { bobsBrowser in
            try await bobsBrowser.signIn("bob@contoso.com")
            try await harness.browse { browser in
                try await browser.signIn()
                let page = try await browser.get("/admin/users/bob%40contoso.com")
                #expect(page.contains("Passkeys: 2"))
                #expect(page.body.contains("/remove-passkeys\""))
                let removed = try await browser.post("/admin/users/bob%40contoso.com/remove-passkeys", [])
                #expect(removed.location == "/admin/users/bob@contoso.com?done=passkeysRemoved")
                #expect(try await browser.get(try #require(removed.location)).contains("The passkeys were removed, and the user signed out everywhere."))
                #expect(!(try await browser.get("/admin/users/boss%40contoso.com").body.contains("/remove-passkeys\"")))
                #expect(try await browser.post("/admin/users/boss%40contoso.com/remove-passkeys", []).status == .forbidden)
            }
            #expect(try await bobsBrowser.get("/account").location == "/signin", "bob's session ended")
        }
        #expect(try await harness.store.passkeys(userID: bob.id).isEmpty)
        #expect(try await harness.store.passkeys(userID: boss.id).count == 1)
        #expect(try await harness.store.auditEvents(ActivityQuery()).filter { $0.activity == .passkeyRemoved }.count == 2)
    }

    @Test func theAPIListsPasskeysAndAnAdministratorRemovesOne() async throws {
        let harness = try await Harness()
        try await harness.addUser()
        try await harness.addUser("boss@contoso.com", roles: [.globalAdmin])
        let passkey = try await harness.addPasskey(to: "alice@contoso.com")
        let bosses = try await harness.addPasskey(to: "boss@contoso.com")
        let service = TokenService(store: harness.store, clock: harness.clock, random: SystemRandomSource())
        let users = try await service.create(name: "hr-sync", scope: .users, actor: "cli")
        let view = try await send(harness, .get, "/users/alice@contoso.com", bearer: users)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(view.body.utf8)) as? [String: Any])
        let listed = try #require(body["passkeys"] as? [[String: Any]])
        #expect(listed.count == 1 && listed.first?["id"] as? String == passkey.id.uuidString && listed.first?["name"] as? String == "Laptop")
        #expect(listed.first?["credentialID"] == nil && listed.first?["publicKey"] == nil, "nothing of the key")
        #expect(!(try await send(harness, .get, "/users", bearer: users).body.contains("passkeys")), "lists leave them out")
        let refused = try await send(harness, .delete, "/users/boss@contoso.com/passkeys/\(bosses.id.uuidString)", bearer: users)
        #expect(refused.status == .forbidden, "a users token has a user administrator's authority")
        #expect(try await send(harness, .delete, "/users/boss@contoso.com/passkeys/\(passkey.id.uuidString)", bearer: try await service.create(name: "op", actor: "cli")).status
                == .notFound, "alice's passkey is not boss's")
        #expect(try await send(harness, .delete, "/users/alice@contoso.com/passkeys/\(passkey.id.uuidString)", bearer: users).status == .noContent)
        #expect(try await harness.store.passkeys(userID: passkey.userID).isEmpty)
        let audit = try await harness.store.auditEvents(ActivityQuery()).filter { $0.activity == .passkeyRemoved }
        #expect(audit.count == 1 && audit.first?.actor == "token:hr-sync" && audit.first?.target == "alice@contoso.com")
    }

    private func send(_ harness: Harness, _ method: HTTPRequest.Method, _ path: String, bearer: String) async throws -> Page {
        let answer = Mutex<Page?>(nil)
        try await harness.browse { browser in
            let page = try await browser.send("/api/v1" + path, method: method, headers: [.authorization: "Bearer \(bearer)"], body: nil)
            answer.withLock { $0 = page }
        }
        return try #require(answer.withLock { $0 })
    }
}
