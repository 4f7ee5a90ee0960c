import Foundation
import SesameCore
import SesameTestSupport
import Testing

@Suite struct UserAdministrationTests {
    let clock = ManualClock(t0)
    let store: any Store
    let outbox = RecordingSender()
    let administration: UserAdministration

    init() throws {
        store = InMemoryStore()
        administration = UserAdministration(store: store, hasher: fastHasher, clock: clock, outbox: outbox, reportLinks: .testing(store: store, clock: clock, outbox: outbox))
    }

    func fieldOfError(_ draft: UserDraft) async -> String? {
        do {
            try await administration.add(draft, actor: "cli")
            return nil
        } catch let error as ValidationError {
            return error.field
        } catch {
            return "\(error)"
        }
    }

    @Test func addCreatesAValidatedUser() async throws {
        let user = try await administration.add(
            UserDraft(userID: "Alice@Contoso.com", password: "Zq8#Lw4!Vr2k", displayName: "Alice", mobilePhone: "+33 6 12 34 56 78 x9",
                      alternateEmail: "alice@example.org", groups: ["staff", " "], roles: [.helpdeskAdmin]),
            actor: "cli")
        #expect(user.userID == "alice@contoso.com")
        #expect(user.authentication.mobilePhone?.e164 == "+33612345678")
        #expect(user.groups == ["staff"])
        #expect(await fastHasher.verify("Zq8#Lw4!Vr2k", against: try #require(user.passwordHash)))
        #expect(try await store.user(userID: "alice@contoso.com") == user)
        let audit = try await store.auditEvents(ActivityQuery())
        #expect(audit.map(\.activity) == [.userCreated] && audit.first?.target == "alice@contoso.com")
    }

    @Test func changedContactDataIsToldToTheOldAddresses() async throws {
        try await administration.add(UserDraft(userID: "alice@contoso.com", mobilePhone: "+33 6 12 34 56 78", alternateEmail: "old@example.org"), actor: "cli")
        try await administration.update(UserDraft(userID: "alice@contoso.com", displayName: "Alice M."), actor: "cli")
        #expect(outbox.messages.isEmpty, "nothing to tell when no contact data changed")
        try await administration.update(UserDraft(userID: "alice@contoso.com", mobilePhone: "+33 7 81 00 00 01", alternateEmail: "new@example.org"), actor: "cli")
        let notices = outbox.messages
        #expect(notices.map(\.to) == ["old@example.org", "old@example.org"])
        #expect(notices.map(\.subject) == ["The mobile phone of your Sesame account changed", "The alternate email of your Sesame account changed"])
        #expect(notices.allSatisfy { $0.text.contains("alice@contoso.com") && !$0.text.contains("new@example.org") })
    }

    @Test func badFieldsAreNamed() async throws {
        #expect(await fieldOfError(UserDraft(userID: "alice")) == "userID")
        #expect(await fieldOfError(UserDraft(userID: "a@contoso.com", password: "password")) == "password")
        #expect(await fieldOfError(UserDraft(userID: "a@contoso.com", mobilePhone: "+33 6 12")) == "mobilePhone")
        #expect(await fieldOfError(UserDraft(userID: "a@contoso.com", officePhone: "call me")) == "officePhone")
        #expect(await fieldOfError(UserDraft(userID: "a@contoso.com", alternateEmail: "nope")) == "alternateEmail")
        #expect(await fieldOfError(UserDraft(userID: "a@contoso.com", displayName: String(repeating: "x", count: 10_000_000))) == "displayName")
        #expect(await fieldOfError(UserDraft(userID: "a@contoso.com", surname: "bad\u{7}bell")) == "surname")
        // A right-to-left override turns a name around wherever it is shown.
        #expect(await fieldOfError(UserDraft(userID: "a@contoso.com", givenName: "Ali\u{202E}ecno")) == "givenName")
        #expect(try await store.userCount() == 0, "nothing is half-created")
    }

    @Test func phonesFromCountriesThePolicyRefuses() async throws {
        _ = try await store.savePolicy(try Policy().setting(.allowedCountryCodes, to: "44"), expectedVersion: 0)
        #expect(await fieldOfError(UserDraft(userID: "a@contoso.com", mobilePhone: "+33 6 12 34 56 78")) == "mobilePhone")
        #expect(await fieldOfError(UserDraft(userID: "a@contoso.com", mobilePhone: "+44 7400 123456")) == nil)
    }

    @Test func resetPasswordUnlocksClearsThrottlesAndIsAudited() async throws {
        var user = try await administration.add(UserDraft(userID: "bob@contoso.com", password: "Zq8#Lw4!Vr2k"), actor: "cli")
        for index in 1...12 { user.lockout.recordFailure(fingerprint: "f\(index)", at: t0) }
        try await store.updateUser(user)
        let fromOneNetwork = ThrottleKey(.addressIdentityProof, ThrottleKey.subject(user: user.id, client: "203.0.113.7"))
        _ = try await store.recordEvent(ThrottleKey(.identityProof, user.id.uuidString), rule: ThrottleKind.identityProof.rule, now: t0)
        _ = try await store.recordEvent(fromOneNetwork, rule: ThrottleKind.addressIdentityProof.rule, now: t0)
        try await administration.resetPassword(userID: "BOB@contoso.com", to: "Yt7$Mx3!Ps9j", actor: "cli")
        let after = try #require(try await store.user(id: user.id))
        #expect(after.lockout == SignInLockout())
        #expect(await fastHasher.verify("Yt7$Mx3!Ps9j", against: try #require(after.passwordHash)))
        #expect(try await store.throttleState(ThrottleKey(.identityProof, user.id.uuidString)) == nil)
        #expect(try await store.throttleState(fromOneNetwork) == nil, "the blocks per network go too")
        #expect(try await store.auditEvents(ActivityQuery()).first?.activity == .adminResetPassword)
    }

    /// The API and imports set passwords through `update`: before, the user's blocks outlived such a reset.
    @Test func aPasswordSetByUpdateClearsThrottlesToo() async throws {
        let user = try await administration.add(UserDraft(userID: "bob@contoso.com", password: "Zq8#Lw4!Vr2k"), actor: "cli")
        _ = try await store.recordEvent(ThrottleKey(.identityProof, user.id.uuidString), rule: ThrottleKind.identityProof.rule, now: t0)
        try await administration.update(UserDraft(userID: "bob@contoso.com", password: "Yt7$Mx3!Ps9j"), actor: "api")
        #expect(try await store.throttleState(ThrottleKey(.identityProof, user.id.uuidString)) == nil)
    }

    @Test func refusedResetsAreAuditedAsFailures() async throws {
        try await administration.add(UserDraft(userID: "bob@contoso.com"), actor: "cli")
        await #expect(throws: ValidationError.self) { try await administration.resetPassword(userID: "bob@contoso.com", to: "short", actor: "cli") }
        let event = try #require(try await store.auditEvents(ActivityQuery()).first)
        #expect(event.activity == .adminResetPassword && event.status == .failure && event.failureReason == "password.tooShort")
        #expect(try await store.user(userID: "bob@contoso.com")?.passwordHash == nil)
    }

    @Test func unknownAndDirectoryUsers() async throws {
        await #expect(throws: AdministrationError.unknownUser("ghost@contoso.com")) {
            try await administration.unlock(userID: "ghost@contoso.com", actor: "cli")
        }
        try await store.insertUser(User(userID: "carol", source: .directory, createdAt: t0))
        // Without a directory configured, a directory user's password cannot be written anywhere: audited, unchanged.
        await #expect(throws: WritebackError.unavailable(reason: "no directory is configured")) {
            try await administration.resetPassword(userID: "carol", to: "Yt7$Mx3!Ps9j", actor: "cli")
        }
        let event = try #require(try await store.auditEvents(ActivityQuery()).first)
        #expect(event.status == .failure && event.failureReason == "OnPremisesConnectivityError (SSPR_0030)")
        #expect(try await store.user(userID: "carol")?.passwordChangedAt == nil)
    }

    @Test func unlockIsAudited() async throws {
        try await administration.add(UserDraft(userID: "dave@contoso.com"), actor: "cli")
        try await administration.unlock(userID: "dave@contoso.com", actor: "helpdesk@contoso.com")
        let event = try #require(try await store.auditEvents(ActivityQuery()).first)
        #expect(event.activity == .adminUnlock && event.actor == "helpdesk@contoso.com" && event.target == "dave@contoso.com")
    }
}
