import Foundation
import SesameCore
import SesameTestSupport
import Testing

@Suite struct PolicyStoreContractTests {
    @Test(arguments: StoreAdapter.allCases)
    func theLogoIsKeptReplacedAndRemoved(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            #expect(try await store.logo() == nil)
            let png = Logo(data: Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF]), type: "image/png")
            try await store.saveLogo(png)
            #expect(try await store.logo() == png)
            let svg = Logo(data: Data("<svg xmlns='http://www.w3.org/2000/svg'/>".utf8), type: "image/svg+xml")
            try await store.saveLogo(svg)
            #expect(try await store.logo() == svg)
            try await store.saveLogo(nil)
            #expect(try await store.logo() == nil)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func versionedSaves(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            #expect(try await store.policy() == nil)
            let first = try Policy().setting(.methodsRequired, to: "2").setting(.helpdeskLink, to: "https://help.example")
            #expect(try await store.savePolicy(first, expectedVersion: 0) == 1)
            #expect(try await store.policy() == VersionedPolicy(policy: first, version: 1))
            await #expect(throws: StoreError.conflict("the policy")) { try await store.savePolicy(Policy(), expectedVersion: 0) }
            let second = try first.setting(.reconfirmDays, to: "30")
            #expect(try await store.savePolicy(second, expectedVersion: 1) == 2)
            await #expect(throws: StoreError.conflict("the policy")) { try await store.savePolicy(first, expectedVersion: 1) }
            #expect(try await store.policy() == VersionedPolicy(policy: second, version: 2))
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func concurrentSavesFromTheSameVersionLetOneWin(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            _ = try await store.savePolicy(Policy(), expectedVersion: 0)
            let wins = await withTaskGroup(of: Bool.self) { group in
                for days in 1...10 {
                    group.addTask {
                        let policy = try! Policy().setting(.reconfirmDays, to: String(days))
                        return (try? await store.savePolicy(policy, expectedVersion: 1)) != nil
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
            #expect(try await store.policy()?.version == 2)
        }
    }
}

@Suite struct TokenStoreContractTests {
    @Test(arguments: StoreAdapter.allCases)
    func tokensByDigest(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let (token, record) = APIToken.generate(name: "ci", at: t0, using: SystemRandomSource())
            try await store.insertToken(record)
            #expect(try await store.token(digest: APIToken.digest(of: token)) == record)
            #expect(try await store.token(digest: APIToken.digest(of: token + "x")) == nil)
            try await store.touchToken(id: record.id, at: t0.addingTimeInterval(5))
            try await store.revokeToken(id: record.id, at: t0.addingTimeInterval(9))
            let stored = try #require(try await store.tokens().first)
            #expect(stored.lastUsedAt == t0.addingTimeInterval(5) && stored.revokedAt == t0.addingTimeInterval(9))
            #expect(!token.contains(record.digest) && record.digest.count == 64)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func scopesAndExpiryAreKept(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            var records: [APIToken] = []
            for (index, scope) in TokenScope.allCases.enumerated() {
                let expiresAt: Date? = index == 1 ? nil : t0.addingTimeInterval(Double(index + 1) * 86_400 + 0.25)
                let (token, record) = APIToken.generate(name: "t\(index)", scope: scope, expiresAt: expiresAt, at: t0 + Double(index), using: SystemRandomSource())
                try await store.insertToken(record)
                #expect(try await store.token(digest: APIToken.digest(of: token)) == record)
                records.append(record)
            }
            #expect(try await store.tokens() == records)
            #expect(records.map(\.scope) == [.read, .users, .full] && records[1].expiresAt == nil)
        }
    }
}

@Suite struct ActivityStoreContractTests {
    @Test(arguments: StoreAdapter.allCases)
    func auditEventsFilteredNewestFirst(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            for index in 0..<10 {
                try await store.appendAudit(AuditEvent(
                    at: t0.addingTimeInterval(Double(index) * 3_600), activity: index.isMultiple(of: 2) ? .policyChange : .adminUnlock,
                    actor: "cli", target: index < 5 ? "alice@contoso.com" : "bob@contoso.com", status: .success,
                    detail: "event \(index)", failureReason: index == 3 ? "why" : nil, requestID: "req-\(index)"))
            }
            let all = try await store.auditEvents(ActivityQuery())
            #expect(all.map(\.detail) == (0..<10).reversed().map { "event \($0)" })
            #expect(all.last?.activity == .policyChange && all.last?.requestID == "req-0")
            #expect(all.first { $0.detail == "event 3" }?.failureReason == "why")
            let window = try await store.auditEvents(ActivityQuery(since: t0.addingTimeInterval(2 * 3_600), until: t0.addingTimeInterval(5 * 3_600)))
            #expect(window.map(\.detail) == ["event 4", "event 3", "event 2"])
            #expect(try await store.auditEvents(ActivityQuery(userID: "BOB@contoso.com")).count == 5)
            #expect(try await store.auditEvents(ActivityQuery(limit: 3, offset: 8)).map(\.detail) == ["event 1", "event 0"])
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func reportRows(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let reset = ResetActivity(
                at: t0, userID: "alice@contoso.com", role: "user", methodsUsed: [.mobileSMS, .securityQuestions],
                detail: .blockedInvalidCodes(.mobileSMS), requestID: "r1")
            try await store.appendResetActivity(reset)
            try await store.appendResetActivity(ResetActivity(at: t0.addingTimeInterval(-40 * 86_400), userID: "old@contoso.com", role: "user", methodsUsed: [], detail: .abandonedAfterUserID))
            #expect(try await store.resetActivities(ActivityQuery(since: t0.addingTimeInterval(-86_400))) == [reset])
            #expect(try await store.resetActivities(ActivityQuery()).count == 2, "no 30-day cap")
            let registration = RegistrationActivity(at: t0, userID: "alice@contoso.com", role: "globalAdmin", dataRegistered: .securityQuestions)
            try await store.appendRegistrationActivity(registration)
            #expect(try await store.registrationActivities(ActivityQuery()) == [registration])
        }
    }
}
