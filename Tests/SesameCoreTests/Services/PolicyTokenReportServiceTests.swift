import Foundation
import SesameCore
import SesameTestSupport
import Testing

@Suite struct PolicyServiceTests {
    @Test func changesAreSavedAndAuditedWithOldAndNewValues() async throws {
        let store = InMemoryStore()
        let service = PolicyService(store: store, clock: ManualClock(t0))
        #expect(try await service.current() == VersionedPolicy(policy: Policy(), version: 0))
        try await service.set(.reconfirmDays, to: "30", actor: "cli")
        try await service.set(.reconfirmDays, to: "30", actor: "cli")
        try await service.set(.methods, to: "email,mobilePhone,securityQuestions", actor: "admin@contoso.com")
        let current = try await service.current()
        #expect(current.version == 2 && current.policy.reconfirmDays == 30)
        let events = try await store.auditEvents(ActivityQuery())
        #expect(events.map(\.detail) == [
            "methods: \"mobilePhone,email\" → \"mobilePhone,email,securityQuestions\"", "reconfirmDays: \"180\" → \"30\"",
        ], "an unchanged value is not a change")
        #expect(events.allSatisfy { $0.activity == .policyChange })
    }

    @Test func refusedValuesChangeNothing() async throws {
        let store = InMemoryStore()
        let service = PolicyService(store: store, clock: ManualClock(t0))
        await #expect(throws: PolicyError.self) { try await service.set(.questionsToReset, to: "9", actor: "cli") }
        #expect(try await store.policy() == nil)
        #expect(try await store.auditEvents(ActivityQuery()).isEmpty)
    }
}

@Suite struct TokenServiceTests {
    @Test func tokensAuthenticateUntilRevoked() async throws {
        let store = InMemoryStore()
        let clock = ManualClock(t0)
        let service = TokenService(store: store, clock: clock, random: SystemRandomSource())
        let token = try await service.create(name: "nightly export", actor: "cli")
        #expect(token.hasPrefix("sesame_") && token.count > 40)
        clock.advance(by: 30)
        let record = try #require(try await service.authenticate(token))
        #expect(record.name == "nightly export")
        #expect(try await store.token(digest: record.digest)?.lastUsedAt == t0.addingTimeInterval(30))
        #expect(try await service.authenticate(token + "x") == nil)
        try await store.revokeToken(id: record.id, at: clock.now)
        #expect(try await service.authenticate(token) == nil)
        let audit = try await store.auditEvents(ActivityQuery())
        #expect(audit.map(\.activity) == [.apiTokenCreated] && !audit[0].detail.contains(token))
        await #expect(throws: ValidationError.self) { try await service.create(name: " ", actor: "cli") }
    }

    @Test func scopesAndExpiry() async throws {
        let store = InMemoryStore()
        let clock = ManualClock(t0)
        let service = TokenService(store: store, clock: clock, random: SystemRandomSource())
        let lasting = try await service.create(name: "old habits", actor: "cli")
        let weekly = try await service.create(name: "weekly", scope: .read, days: 7, actor: "cli")
        #expect(try await service.authenticate(lasting)?.scope == .full, "full and never expiring unless asked")
        #expect(try await service.authenticate(lasting)?.expiresAt == nil)
        #expect(try await service.authenticate(weekly)?.scope == .read)
        clock.advance(by: 7 * 86_400 - 1)
        #expect(try await service.authenticate(weekly) != nil)
        clock.advance(by: 1)
        #expect(try await service.authenticate(weekly) == nil, "expired at exactly seven days")
        #expect(try await service.authenticate(lasting) != nil)
        // The audit names scope and expiry, never the token.
        let details = try await store.auditEvents(ActivityQuery()).filter { $0.activity == .apiTokenCreated }.map(\.detail)
        #expect(Set(details) == ["scope full, no expiry", "scope read, expires \(t0.addingTimeInterval(7 * 86_400).formatted(.iso8601))"])
        #expect(!details.contains { $0.contains(weekly) || $0.contains(lasting) })
        for days in [0, -1, 3_651] {
            await #expect(throws: ValidationError("field.range", ["min": "1", "max": "3650"], field: "days"), "\(days)") {
                try await service.create(name: "bad", days: days, actor: "cli")
            }
        }
        #expect(try await store.tokens().count == 2, "a refused token is not kept")
        #expect(try TokenScope.parse("users") == .users)
        #expect(throws: ValidationError.self) { try TokenScope.parse("admin") }
        #expect(TokenScope.read.includes(.read) && !TokenScope.read.includes(.users) && TokenScope.full.includes(.users))
        #expect(!TokenScope.users.includes(.full) && TokenScope.users.authority == [.userAdmin])
    }
}

@Suite struct ReportServiceTests {
    @Test func reportsInCSVAndJSONInBothLanguages() async throws {
        let store = InMemoryStore()
        try await store.appendResetActivity(ResetActivity(
            at: t0, userID: "alice@contoso.com", role: "user", methodsUsed: [.email, .mobileSMS], detail: .succeeded))
        try await store.appendRegistrationActivity(RegistrationActivity(at: t0, userID: "bob@contoso.com", role: "user", dataRegistered: .email))
        let service = ReportService(store: store)
        let resets = try await service.report(.resets, ActivityQuery(), language: .english)
        #expect(resets.csv(in: .english) == """
            User,Role,Date and Time,Method(s) Used,Result,Details\r
            alice@contoso.com,user,2027-01-15T08:00:00Z,"Email, Mobile SMS",Succeeded,User successfully reset password\r

            """)
        let french = try await service.report(.resets, ActivityQuery(), language: .french)
        #expect(french.csv(in: .french).hasPrefix("Utilisateur,Rôle,Date et heure,Méthode(s) utilisée(s),Résultat,Détails\r\n"))
        #expect(french.rows[0][4] == "Réussi")
        let registrations = try await service.registrations(ActivityQuery(), language: .english)
        let json = try JSONSerialization.jsonObject(with: Data(try registrations.json().utf8)) as? [[String: String]]
        #expect(json == [["user": "bob@contoso.com", "role": "user", "dateTime": "2027-01-15T08:00:00Z", "dataRegistered": "Alternate Email"]])
    }
}
