import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// Issuing and using temporary access passes (docs/behaviour.md#temporary-access-pass).
@Suite struct AccessPassServiceTests {
    let clock = ManualClock(t0)
    let store = InMemoryStore()
    let outbox = RecordingSender()
    let service: AccessPassService

    init() {
        service = AccessPassService.testing(store: store, clock: clock, outbox: outbox)
    }

    func alice(roles: Set<Role> = []) async throws -> User {
        var user = User(userID: "alice@contoso.com", roles: roles, createdAt: t0)
        user.authentication.authenticationEmail = try EmailAddress("alice@example.org")
        user.authentication.alternateEmail = try EmailAddress("alice.martin@example.net")
        user.locale = .french
        try await store.insertUser(user)
        return user
    }

    func issue(_ terms: AccessPassTerms = AccessPassTerms(), authority: Set<Role> = [.helpdeskAdmin]) async throws -> AccessPassService.Issued {
        try await service.issue(to: "alice@contoso.com", terms: terms, authority: authority, actor: "helpdesk@contoso.com")
    }

    func accepted(_ check: AccessPassService.Check) -> Bool {
        if case .accepted = check { true } else { false }
    }

    @Test func aPassIsShownOnceKeptAsAHashAuditedAndToldWithAThisWasntMeLink() async throws {
        let user = try await alice()
        let issued = try await issue(AccessPassTerms(lifetime: 1_800, length: 16))
        #expect(issued.pass.wholeMatch(of: /[2-9a-hjkmnp-z]{4}(-[2-9a-hjkmnp-z]{4}){3}/) != nil, "16 unambiguous characters in groups of four")
        #expect(issued.expiresAt == t0.addingTimeInterval(1_800) && issued.singleUse)
        let stored = try #require(try await store.accessPass(ofUser: user.id))
        let plain = issued.pass.replacingOccurrences(of: "-", with: "")
        #expect(!stored.hash.contains(plain) && !stored.coversRoles)
        #expect(await fastHasher.verify(plain, against: stored.hash))
        let event = try #require(try await store.auditEvents(ActivityQuery()).first)
        #expect(event.activity == .accessPassIssued && event.actor == "helpdesk@contoso.com" && event.target == "alice@contoso.com")
        #expect(event.detail == "30 minutes, single use")
        #expect(outbox.messages.map(\.to).sorted() == ["alice.martin@example.net", "alice@example.org"])
        #expect(outbox.messages.allSatisfy {
            ($0.subject ?? "").contains("passe d’accès temporaire") && $0.text.contains(ReportLinks.testURL + ReportLinks.path) && !$0.text.contains(plain)
        })
    }

    @Test func termsOutOfBoundsAreRefusedAndNothingIsIssued() async throws {
        let user = try await alice()
        for (terms, field) in [
            (AccessPassTerms(lifetime: 9 * 60), "lifetime"), (AccessPassTerms(lifetime: 24 * 3_600 + 1), "lifetime"),
            (AccessPassTerms(length: 7), "length"), (AccessPassTerms(length: 49), "length"),
        ] {
            do {
                _ = try await issue(terms)
                Issue.record("\(terms) was issued")
            } catch let error as ValidationError {
                #expect(error.field == field)
            }
        }
        await #expect(throws: AdministrationError.unknownUser("nobody@contoso.com")) {
            try await service.issue(to: "nobody@contoso.com", terms: AccessPassTerms(), authority: [.globalAdmin], actor: "cli")
        }
        #expect(try await store.accessPass(ofUser: user.id) == nil && outbox.messages.isEmpty)
    }

    /// The service checks the issuer's authority itself, whatever the front end checked before.
    @Test func onlyAGlobalAdministratorsAuthorityIssuesAPassForAnAdministrator() async throws {
        let user = try await alice(roles: [.helpdeskAdmin])
        for authority: Set<Role> in [[], [.helpdeskAdmin], [.passwordAdmin], [.userAdmin]] {
            await #expect(throws: AccessPassError.notAllowed("alice@contoso.com")) { try await issue(authority: authority) }
        }
        #expect(try await store.accessPass(ofUser: user.id) == nil)
        _ = try await issue(authority: [.globalAdmin])
        #expect(try await store.accessPass(ofUser: user.id)?.coversRoles == true)
    }

    /// A pass issued for a plain user serves nobody who became an administrator since, even if nothing voided it.
    @Test func aPassForAPlainUserDoesNotServeThemOnceTheyHoldARole() async throws {
        var user = try await alice()
        let issued = try await issue(AccessPassTerms(singleUse: false))
        user.roles = [.userAdmin]
        try await store.updateUser(user)
        #expect(try await service.redeem(issued.pass, by: user) == .wrong)
        #expect(try await service.usablePass(of: user) == nil)
    }

    @Test func aSingleUsePassServesOnceTypedInAnyCaseWithOrWithoutSeparators() async throws {
        let user = try await alice()
        let issued = try await issue()
        #expect(try await service.redeem("abcd-efgh-jkmn", by: user) == .wrong)
        #expect(try await service.redeem(String(repeating: "x", count: 10_000), by: user) == .malformed)
        #expect(accepted(try await service.redeem(" " + issued.pass.uppercased().replacingOccurrences(of: "-", with: " ") + " ", by: user)))
        #expect(try await service.redeem(issued.pass, by: user) == .wrong, "used")
        let used = try #require(try await store.auditEvents(ActivityQuery()).first { $0.activity == .accessPassUsed })
        #expect(used.actor == "anonymous" && used.target == "alice@contoso.com")
    }

    /// A wrong pass costs one Argon2id computation whether or not the user holds a pass, so that the time taken does
    /// not tell who holds one; what cannot be a pass costs none.
    @Test func aWrongPassCostsTheSameWorkWithOrWithoutAPass() async throws {
        let hasher = CountingHasher()
        let counted = AccessPassService(
            store: store, hasher: hasher, clock: clock, random: SystemRandomSource(), reportLinks: .testing(store: store, clock: clock, outbox: outbox))
        let user = try await alice()
        #expect(try await counted.redeem("abcd-efgh-jkmn", by: user) == .wrong)
        #expect(hasher.hashCalls + hasher.verifyCalls == 1, "no pass: one computation")
        _ = try await counted.issue(to: user.userID, terms: AccessPassTerms(), authority: [.helpdeskAdmin], actor: "cli")
        let before = hasher.hashCalls + hasher.verifyCalls
        #expect(try await counted.redeem("abcd-efgh-jkmn", by: user) == .wrong)
        #expect(hasher.hashCalls + hasher.verifyCalls - before == 1, "a pass: one computation")
        #expect(try await counted.redeem("not a pass!", by: user) == .malformed)
        #expect(hasher.hashCalls + hasher.verifyCalls - before == 1)
    }

    @Test func aReusablePassServesUntilItExpiresAndARevokedOneNoMore() async throws {
        let user = try await alice()
        let issued = try await issue(AccessPassTerms(lifetime: 600, singleUse: false))
        #expect(accepted(try await service.redeem(issued.pass, by: user)))
        clock.advance(by: 599)
        #expect(accepted(try await service.redeem(issued.pass, by: user)))
        clock.advance(by: 1)
        #expect(try await service.redeem(issued.pass, by: user) == .wrong, "expired")
        #expect(try await service.usablePass(of: user) == nil)
        let second = try await issue(AccessPassTerms(singleUse: false))
        #expect(try await service.usablePass(of: user) != nil)
        try await service.revoke(for: user.userID, actor: "cli")
        #expect(try await service.redeem(second.pass, by: user) == .wrong)
        #expect(try await store.auditEvents(ActivityQuery()).contains { $0.activity == .accessPassRevoked })
    }

    @Test func aNewPassVoidsThePreviousAndLiftsTheBlockOnWrongProofs() async throws {
        let user = try await alice()
        let first = try await issue()
        let keys = [ThrottleKey(.identityProof, user.id.uuidString), ThrottleKey(.addressIdentityProof, ThrottleKey.subject(user: user.id, client: "192.0.2.1"))]
        for key in keys {
            for _ in 1...20 { _ = try await store.recordEvent(key, rule: key.kind.rule, now: clock.now) }
            #expect(try await store.throttleState(key)?.isBlocked(at: clock.now) == true)
        }
        let second = try await issue()
        for key in keys { #expect(try await store.throttleState(key)?.isBlocked(at: clock.now) != true) }
        #expect(try await service.redeem(first.pass, by: user) == .wrong)
        #expect(accepted(try await service.redeem(second.pass, by: user)))
    }

    /// Whatever an administrator does that changes who the account is, or a reset it served, the pass goes.
    @Test func anAdministratorsResetOrAChangeOfRolesVoidsThePass() async throws {
        let user = try await alice()
        let administration = UserAdministration(
            store: store, hasher: fastHasher, clock: clock, outbox: outbox, reportLinks: .testing(store: store, clock: clock, outbox: outbox))
        _ = try await issue()
        try await administration.resetPassword(userID: user.userID, to: "Yt7$Mx3!Ps9j", actor: "cli")
        #expect(try await store.accessPass(ofUser: user.id) == nil)
        _ = try await issue()
        try await administration.update(UserDraft(userID: user.userID, roles: [.helpdeskAdmin]), actor: "cli")
        #expect(try await store.accessPass(ofUser: user.id) == nil)
    }
}
