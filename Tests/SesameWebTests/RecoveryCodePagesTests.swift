import Foundation
import HTTPTypes
import SesameCore
import SesameDelivery
import SesameStore
import SesameTestSupport
import Testing

@testable import SesameWeb

/// Recovery codes through the pages (docs/behaviour.md#recovery-codes): made and confirmed at registration, used at
/// a reset gate, the 24-hour block, the low-count notices and the administrator's void.
@Suite struct RecoveryCodePagesTests {
    /// The codes a page shows.
    static func shownCodes(_ page: Page) -> [String] {
        page.body.matches(of: /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/).map { String($0.output) }
    }

    /// Gives Alice a confirmed set of codes, made as the registration page makes them.
    func codes(for user: User, in harness: Harness, seed: UInt64 = 11) async throws -> [RecoveryCode] {
        let service = RecoveryCodeService(store: harness.store, hasher: fastHasher, outbox: harness.queue, clock: harness.clock, random: SeededRandomSource(seed: seed))
        let new = try await service.generate()
        #expect(try await service.confirm(new.codes[0].grouped, of: new.hashes, for: user, requestID: nil))
        return new.codes
    }

    @Test(arguments: [
        ("en", "Recovery codes", "Make my codes", "They will not be shown again", "That is not one of the new codes", "Thanks", "10 of 10 codes left"),
        ("fr", "Codes de récupération", "Créer mes codes", "Ils ne seront plus affichés", "Ce n’est pas l’un des nouveaux codes", "Merci", "Il reste 10 codes sur 10"),
    ])
    func registrationShowsTheCodesOnceAndCountsThemOnceOneIsTypedBack(
        _ language: String, _ heading: String, _ make: String, _ once: String, _ notOne: String, _ thanks: String, _ left: String
    ) async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "email,recoveryCodes")
        let alice = try await harness.addUser()
        try await harness.browse { browser in
            try await browser.signIn(language: language)
            let overview = try await browser.get("/register")
            #expect(overview.contains("<h2>\(heading)</h2>") && overview.body.contains("href=\"/register/recovery-codes\""))
            let form = try await browser.get("/register/recovery-codes")
            #expect(form.status == .ok && form.contains(">\(make)</button>"))
            let shown = try await browser.post("/register/recovery-codes", [])
            #expect(shown.status == .ok && shown.headers[.cacheControl] == "no-store")
            #expect(shown.contains(once) && shown.body.contains("download=\"recovery-codes.txt\""))
            let codes = Self.shownCodes(shown)
            #expect(codes.count == 10 && Set(codes).count == 10)
            // The file to download holds them, a line each, under a line that names the account.
            let href = try #require(shown.body.range(of: "data:text/plain;charset=utf-8,[^\"]*", options: .regularExpression))
            let file = try #require(shown.body[href].dropFirst("data:text/plain;charset=utf-8,".count).removingPercentEncoding)
            #expect(file.hasSuffix("\n\n" + codes.joined(separator: "\n") + "\n") && file.contains(alice.userID))
            #expect(try await harness.store.recoveryCodes(userID: alice.id).isEmpty, "not before one is typed back")
            let wrong = try await browser.post("/register/recovery-codes/confirm", [("code", "0ZZZ-ZZZZ-ZZZZ-ZZZZ")])
            #expect(wrong.status == .unprocessableContent && wrong.contains(notOne))
            #expect(Self.shownCodes(wrong).isEmpty, "the codes are shown once")
            let typed = try #require(codes.last).replacingOccurrences(of: "-", with: "").lowercased()
            let done = try await browser.post("/register/recovery-codes/confirm", [("code", typed)])
            #expect(done.contains("<h1>\(thanks)</h1>"))
            #expect(try await browser.get("/register").contains(left))
            #expect(Self.shownCodes(try await browser.get("/register/recovery-codes")).isEmpty)
        }
        #expect(try await harness.store.user(id: alice.id)?.authentication.recoveryCodesLeft == 10)
        #expect(try await harness.store.registrationActivities(ActivityQuery()).map(\.dataRegistered) == [.recoveryCodes])
        let audit = try await harness.store.auditEvents(ActivityQuery())
        #expect(audit.contains { $0.activity == .recoveryCodesGenerated && $0.actor == "alice@contoso.com" })
    }

    @Test func aNewSetReplacesTheOldOnceConfirmed() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "email,recoveryCodes")
        let alice = try await harness.addUser()
        let old = try await codes(for: alice, in: harness)
        try await harness.browse { browser in
            try await browser.signIn()
            try await harness.stepUp(browser, at: "/register/recovery-codes", recoveryCode: old[0].grouped)
            #expect(try await browser.get("/register/recovery-codes").contains("Make a new set"))
            let shown = try await browser.post("/register/recovery-codes", [])
            let new = Self.shownCodes(shown)
            let stored = try await harness.store.recoveryCodes(userID: alice.id)
            #expect(try await fastHasher.verify(old[1].canonical, against: #require(stored.first { $0.slot == 1 }).hash), "the old set holds until the new one is confirmed")
            try await browser.post("/register/recovery-codes/confirm", [("code", try #require(new.first))])
            let replaced = try await harness.store.recoveryCodes(userID: alice.id)
            #expect(try await !fastHasher.verify(old[1].canonical, against: #require(replaced.first { $0.slot == 1 }).hash))
        }
    }

    @Test(arguments: [
        ("en", "Enter one of my recovery codes", "That is not one of your recovery codes", "Your password has been reset"),
        ("fr", "Entrez l’un de mes codes de récupération", "Ce n’est pas l’un de vos codes de récupération", "Votre mot de passe a été réinitialisé"),
    ])
    func aRecoveryCodeServesAsAResetGate(_ language: String, _ option: String, _ wrongText: String, _ done: String) async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "email,recoveryCodes")
        let alice = try await harness.addUser(email: "alice@example.org", registered: true)
        let codes = try await codes(for: alice, in: harness)
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com", language: language)
            let options = try await browser.get("/reset/verify")
            #expect(options.contains(option) && options.body.contains("value=\"recoveryCode\""))
            #expect(try await browser.post("/reset/option", [("option", "recoveryCode")]).location == "/reset/verify")
            let form = try await browser.get("/reset/verify")
            #expect(form.body.contains("action=\"/reset/recovery-code\""))
            let wrong = try await browser.post("/reset/recovery-code", [("code", "4ZZZ-ZZZZ-ZZZZ-ZZZZ")])
            #expect(wrong.status == .unprocessableContent && wrong.contains(wrongText))
            #expect(try await browser.post("/reset/recovery-code", [("code", codes[4].grouped.lowercased())]).location == "/reset/verify")
            #expect(try await browser.get("/reset/verify").location == "/reset/password")
            let finished = try await browser.post("/reset/password", [("new", "Yt7$Mx3!Ps9j"), ("confirm", "Yt7$Mx3!Ps9j")])
            #expect(finished.contains(done))
        }
        #expect(try await harness.store.user(id: alice.id)?.authentication.recoveryCodesLeft == 9)
        let row = try #require(try await harness.store.resetActivities(ActivityQuery()).first)
        #expect(row.methodsUsed == [.recoveryCode] && row.result == .succeeded)
    }

    /// As five wrong SMS codes: five wrong recovery codes block the user for 24 hours.
    @Test func fiveWrongCodesBlockTheUserForADay() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "email,recoveryCodes")
        let alice = try await harness.addUser(email: "alice@example.org", registered: true)
        let codes = try await codes(for: alice, in: harness)
        try await harness.browse { browser in
            try await browser.startReset("alice@contoso.com")
            try await browser.post("/reset/option", [("option", "recoveryCode")])
            var last = Page(status: .ok, headers: [:], body: "")
            for slot in 0..<5 { last = try await browser.post("/reset/recovery-code", [("code", "\(slot)ZZZ-ZZZZ-ZZZZ-ZZZZ")]) }
            #expect(last.status == .tooManyRequests && last.contains(IdentityBlockTests.blocked))
            let again = try await browser.startReset("alice@contoso.com")
            #expect(again.status == .tooManyRequests && again.contains(IdentityBlockTests.blocked))
        }
        // Blocked from the test client's network (it has no peer address: "unknown"), not yet everywhere.
        let block = try await harness.store.throttleState(ThrottleKey(.addressIdentityProof, ThrottleKey.subject(user: alice.id, client: "unknown")))
        #expect(try await harness.store.throttleState(ThrottleKey(.identityProof, alice.id.uuidString))?.blockedUntil == nil)
        #expect(block?.blockedUntil == harness.clock.now.addingTimeInterval(86_400))
        #expect(try await harness.store.user(id: alice.id)?.authentication.recoveryCodesLeft == codes.count)
    }

    @Test func fewCodesLeftAreTold() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "email,recoveryCodes")
        let alice = try await harness.addUser(email: "alice@example.org", registered: true)
        let codes = try await codes(for: alice, in: harness)
        let spender = RecoveryCodeService(store: harness.store, hasher: fastHasher, outbox: harness.queue, clock: harness.clock, random: SeededRandomSource(seed: 1))
        try await harness.browse { browser in
            for code in codes.prefix(7) {
                #expect(try await spender.use(code.grouped, by: alice, policy: Policy()) != .wrong)
            }
            try await eventually { harness.outbox.messages.contains { $0.subject?.contains("Only 3") == true } }
            let notice = try #require(harness.outbox.messages.last)
            #expect(notice.to == "alice@example.org" && codes.allSatisfy { !notice.text.contains($0.grouped) })
            try await browser.signIn()
            #expect(try await browser.get("/account").contains("Only 3 recovery codes are left"))
            #expect(try await browser.get("/register").contains("Only 3 recovery codes are left"))
        }
    }

    @Test func anAdministratorSeesTheCountAndVoidsTheCodes() async throws {
        let harness = try await Harness()
        try await harness.setPolicy(.methods, "email,recoveryCodes")
        try await harness.addUser(roles: [.globalAdmin])
        let bob = try await harness.addUser("bob@contoso.com", registered: true)
        _ = try await codes(for: bob, in: harness)
        try await harness.browse { browser in
            try await browser.signIn()
            let page = try await browser.get("/admin/users/bob%40contoso.com")
            #expect(page.contains("Recovery codes left: 10") && page.body.contains("/void-recovery-codes\""))
            let policy = try await browser.get("/admin/policy")
            #expect(policy.body.contains("value=\"recoveryCodes\"") && policy.contains("Recovery codes"))
            let voided = try await browser.post("/admin/users/bob%40contoso.com/void-recovery-codes", [])
            #expect(voided.location == "/admin/users/bob@contoso.com?done=recoveryCodesVoided")
            let after = try await browser.get(try #require(voided.location))
            #expect(after.contains("The recovery codes were voided.") && !after.body.contains("/void-recovery-codes\""))
        }
        #expect(try await harness.store.recoveryCodes(userID: bob.id).isEmpty)
        #expect(try await harness.store.auditEvents(ActivityQuery()).first?.activity == .recoveryCodesVoided)
    }
}
