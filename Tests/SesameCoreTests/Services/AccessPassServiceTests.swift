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
        service = AccessPassService(store: store, hasher: fastHasher, clock: clock, random: SystemRandomSource(), outbox: outbox)
    }

    func alice() async throws -> User {
        var user = User(userID: "alice@contoso.com", createdAt: t0)
        user.authentication.authenticationEmail = try EmailAddress("alice@example.org")
        user.authentication.alternateEmail = try EmailAddress("alice.martin@example.net")
        user.locale = .french
        try await store.insertUser(user)
        return user
    }

    @Test func aPassIsShownOnceKeptAsAHashAuditedAndToldToTheUsersAddresses() async throws {
        let user = try await alice()
        let issued = try await service.issue(to: "alice@contoso.com", terms: AccessPassTerms(lifetime: 1_800, length: 16), actor: "helpdesk@contoso.com")
        #expect(issued.pass.wholeMatch(of: /[2-9a-hjkmnp-z]{4}(-[2-9a-hjkmnp-z]{4}){3}/) != nil, "16 unambiguous characters in groups of four")
        #expect(issued.expiresAt == t0.addingTimeInterval(1_800) && issued.singleUse)
        let stored = try #require(try await store.accessPass(ofUser: user.id))
        let plain = issued.pass.replacingOccurrences(of: "-", with: "")
        #expect(!stored.hash.contains(plain))
        #expect(await fastHasher.verify(plain, against: stored.hash))
        let event = try #require(try await store.auditEvents(ActivityQuery()).first)
        #expect(event.activity == .accessPassIssued && event.actor == "helpdesk@contoso.com" && event.target == "alice@contoso.com")
        #expect(event.detail == "30 minutes, single use")
        #expect(outbox.messages.map(\.to).sorted() == ["alice.martin@example.net", "alice@example.org"])
        #expect(outbox.messages.allSatisfy { $0.text.contains("30 minutes") && ($0.subject ?? "").contains("passe d’accès temporaire") && !$0.text.contains(plain) })
    }

    @Test func termsOutOfBoundsAreRefusedAndNothingIsIssued() async throws {
        let user = try await alice()
        for (terms, field) in [
            (AccessPassTerms(lifetime: 9 * 60), "lifetime"), (AccessPassTerms(lifetime: 24 * 3_600 + 1), "lifetime"),
            (AccessPassTerms(length: 7), "length"), (AccessPassTerms(length: 49), "length"),
        ] {
            await #expect(throws: ValidationError.self) { try await service.issue(to: user.userID, terms: terms, actor: "cli") }
            do { _ = try await service.issue(to: user.userID, terms: terms, actor: "cli") } catch let error as ValidationError { #expect(error.field == field) }
        }
        await #expect(throws: AdministrationError.unknownUser("nobody@contoso.com")) {
            try await service.issue(to: "nobody@contoso.com", terms: AccessPassTerms(), actor: "cli")
        }
        #expect(try await store.accessPass(ofUser: user.id) == nil && outbox.messages.isEmpty)
    }

    @Test func aSingleUsePassServesOnceTypedInAnyCaseWithOrWithoutSeparators() async throws {
        let user = try await alice()
        let issued = try await service.issue(to: user.userID, terms: AccessPassTerms(), actor: "cli")
        #expect(try await service.redeem("abcd-efgh-jkmn", by: user) == false)
        #expect(try await service.redeem(String(repeating: "x", count: 10_000), by: user) == false)
        #expect(try await service.redeem(" " + issued.pass.uppercased().replacingOccurrences(of: "-", with: " ") + " ", by: user))
        #expect(try await service.redeem(issued.pass, by: user) == false, "used")
        #expect(try await store.auditEvents(ActivityQuery()).filter { $0.activity == .accessPassUsed }.count == 1)
    }

    @Test func aReusablePassServesUntilItExpiresAndARevokedOneNoMore() async throws {
        let user = try await alice()
        let issued = try await service.issue(to: user.userID, terms: AccessPassTerms(lifetime: 600, singleUse: false), actor: "cli")
        #expect(try await service.redeem(issued.pass, by: user))
        clock.advance(by: 599)
        #expect(try await service.redeem(issued.pass, by: user))
        clock.advance(by: 1)
        #expect(try await service.redeem(issued.pass, by: user) == false, "expired")
        #expect(try await service.usablePass(of: user) == nil)
        let second = try await service.issue(to: user.userID, terms: AccessPassTerms(singleUse: false), actor: "cli")
        #expect(try await service.usablePass(of: user) != nil)
        try await service.revoke(for: user.userID, actor: "cli")
        #expect(try await service.redeem(second.pass, by: user) == false)
        #expect(try await store.auditEvents(ActivityQuery()).contains { $0.activity == .accessPassRevoked })
    }

    @Test func aNewPassVoidsThePrevious() async throws {
        let user = try await alice()
        let first = try await service.issue(to: user.userID, terms: AccessPassTerms(), actor: "cli")
        let second = try await service.issue(to: user.userID, terms: AccessPassTerms(), actor: "cli")
        #expect(try await service.redeem(first.pass, by: user) == false)
        #expect(try await service.redeem(second.pass, by: user))
    }
}
