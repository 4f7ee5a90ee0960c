import Foundation
import SesameCore
@testable import SesameStore
import SesameTestSupport
import Testing

/// `sesame store copy`: an installation moved from SQLite to PostgreSQL loses no row and changes no value.
@Suite struct StoreCopyTests {
    /// A store with something in every table.
    func populatedSQLite() async throws -> SQLiteStore {
        let store = try SQLiteStore.temporary()
        let alice = try sampleUser()
        try await store.insertUser(alice)
        _ = try await store.claimAuthenticatorStep(60_000_000, ofUser: alice.id)
        try await store.replaceRecoveryCodes(userID: alice.id, with: (0..<10).map { StoredRecoveryCode(slot: $0, hash: "$argon2id$h\($0)") })
        try await store.insertPasskey(Passkey(
            id: UUID(), userID: alice.id, credentialID: [0, 255, 7], publicKeyCOSE: [0xA5, 0x01, 0x02, 0x03, 0x26], algorithm: -7,
            signCount: UInt32.max, backupEligible: true, backedUp: false, name: "Clé de l’entreprise", createdAt: t0, lastUsedAt: t0 + 60))
        try await store.insertPasskey(Passkey(
            id: UUID(), userID: alice.id, credentialID: [1], publicKeyCOSE: [0xA5], algorithm: -257, signCount: 0, backupEligible: false,
            backedUp: false, name: "Phone", createdAt: t0 + 1))
        _ = try await store.claimPasskeyChallenge(mac: [0, 255, 9], expiresAt: t0 + 300)
        for index in 0..<25 {
            try await store.insertUser(User(userID: "user\(index)@contoso.com", roles: index == 3 ? [.globalAdmin] : [], groups: ["g\(index % 3)"], createdAt: t0 + Double(index)))
        }
        _ = try await store.savePolicy(try Policy().setting(.organisationName, to: "Contoso Électricité"), expectedVersion: 0)
        let codes = CodeService(store: store, secret: .generate(using: SystemRandomSource()), clock: ManualClock(t0), random: SeededRandomSource(seed: 1))
        let (_, challenge) = try await codes.issue(for: alice.id, purpose: .reset, channel: .sms, destination: "+33611111111")
        _ = try await codes.verify("000000", challengeID: challenge.id)
        _ = try await store.recordEvent(ThrottleKey(.identityProof, alice.id.uuidString), rule: ThrottleKind.identityProof.rule, now: t0)
        for index in 0..<5 { _ = try await store.recordEvent(ThrottleKey(.clientResetStart, "10.0.0.1"), rule: ThrottleRule(limit: 2, window: 60, block: 60), now: t0 + Double(index)) }
        for index in 0..<30 {
            // Several rows in the same instant: their order must survive.
            try await store.appendAudit(AuditEvent(at: t0 + Double(index / 3), activity: .userCreated, actor: "cli", target: "user\(index)@contoso.com"))
            try await store.appendResetActivity(ResetActivity(at: t0 + Double(index / 3), userID: "user\(index)@contoso.com", role: "user", methodsUsed: [.mobileSMS, .email], detail: .succeeded))
            try await store.appendRegistrationActivity(RegistrationActivity(at: t0 + Double(index / 3), userID: "user\(index)@contoso.com", role: "user", dataRegistered: .email))
        }
        try await store.insertToken(APIToken(id: UUID(), name: "reports", digest: "d1", createdAt: t0, lastUsedAt: t0 + 5, revokedAt: nil))
        try await store.insertToken(APIToken(id: UUID(), name: "hr-sync", digest: "d2", createdAt: t0 + 1, scope: .users, expiresAt: t0 + 86_400 * 30))
        try await store.insertToken(APIToken(id: UUID(), name: "dashboard", digest: "d3", createdAt: t0 + 2, scope: .read))
        try await store.saveSession(key: "k1", data: Data([0, 1, 2, 255]), userID: nil, expiresAt: t0 + 3600)
        try await store.saveSession(key: "k2", data: Data([3]), userID: alice.id, expiresAt: t0 + 3600)
        try await store.insertReportLink(ReportLink(mac: [0, 255, 7], userID: alice.id, event: .methodsChanged, issuedAt: t0, expiresAt: t0 + ReportLink.lifetime))
        try await store.enqueue(QueuedMessage(id: UUID(), channel: .email, sealed: Data("sealed".utf8), attempts: 0, enqueuedAt: t0, expiresAt: t0 + 300))
        try await store.saveLogo(Logo(data: Data([0x89, 0x50, 0x4E, 0x47, 0, 255]), type: "image/png"))
        try await store.saveAccessPass(TemporaryAccessPass(
            userID: alice.id, hash: "$argon2id$pass", issuedBy: "cli", issuedAt: t0, expiresAt: t0 + 3_600, singleUse: true, usedAt: t0 + 60))
        return store
    }

    @Test func everyRowArrivesAndBothSidesAgree() async throws {
        let source = try await populatedSQLite()
        try await PostgresStore.withStore(url: PostgresTestServer.freshDatabase()) { target in
            let reports = try await StoreCopy.copy(from: source, to: target)
            #expect(reports.count == 21)
            #expect(reports.first { $0.table == "user_search" }.map { $0.targetRows > 0 } == true)
            #expect(reports.first { $0.table == "report_links" }?.targetRows == 1)
            #expect(try await target.logo() == Logo(data: Data([0x89, 0x50, 0x4E, 0x47, 0, 255]), type: "image/png"))
            let mismatches = reports.filter { !$0.matches }
            #expect(mismatches.isEmpty, "\(mismatches)")
            #expect(reports.first { $0.table == "users" }?.targetRows == 26)
            #expect(reports.first { $0.table == "audit_events" }?.targetRows == 30)
            #expect(reports.first { $0.table == "recovery_codes" }?.targetRows == 10)
            #expect(reports.first { $0.table == "passkeys" }?.targetRows == 2)
            #expect(reports.first { $0.table == "passkey_challenges" }?.targetRows == 1)

            // Read back through the port: the same users, policy and logs, in the same order.
            let alice = try #require(try await source.user(userID: "alice@contoso.com"))
            #expect(try await target.user(userID: "alice@contoso.com") == alice)
            let passkeys = try await source.passkeys(userID: alice.id)
            #expect(passkeys.count == 2 && alice.authentication.passkeyCount == 2)
            #expect(try await target.passkeys(userID: alice.id) == passkeys)
            #expect(try await !target.claimPasskeyChallenge(mac: [0, 255, 9], expiresAt: t0 + 300), "an answered challenge stays answered")
            let (policy, copiedPolicy) = (try await source.policy(), try await target.policy())
            #expect(copiedPolicy == policy)
            let (resets, copiedResets) = (try await source.resetActivities(ActivityQuery(limit: 100)), try await target.resetActivities(ActivityQuery(limit: 100)))
            #expect(copiedResets == resets)
            let (audit, copiedAudit) = (try await source.auditEvents(ActivityQuery(limit: 100)), try await target.auditEvents(ActivityQuery(limit: 100)))
            #expect(copiedAudit == audit)
            #expect(try await target.users(withRole: .globalAdmin, limit: 10).map(\.userID) == ["user3@contoso.com"])
            #expect(try await target.session(key: "k1", now: t0)?.data == Data([0, 1, 2, 255]))
            let (pass, copiedPass) = (try await source.accessPass(ofUser: alice.id), try await target.accessPass(ofUser: alice.id))
            #expect(pass != nil && copiedPass == pass)
            let tokens = try await source.tokens()
            #expect(try await target.tokens() == tokens && tokens.map(\.scope) == [.full, .users, .read], "scopes and expiry carried")
        }
    }

    @Test func aTargetThatHoldsDataIsRefused() async throws {
        let source = try await populatedSQLite()
        try await PostgresStore.withStore(url: PostgresTestServer.freshDatabase()) { target in
            try await target.insertUser(User(userID: "bob@contoso.com", createdAt: t0))
            await #expect(throws: StoreError.self) { _ = try await StoreCopy.copy(from: source, to: target) }
        }
    }

    @Test func aChangedValueShowsAsAMismatch() {
        let rows: [[StoreCopy.Value]] = [[.text("a"), .integer(1), .real(1.5), .null, .blob(Data([1]))]]
        var changed = rows
        changed[0][2] = .real(1.5000001)
        #expect(StoreCopy.checksum(rows) != StoreCopy.checksum(changed))
        #expect(StoreCopy.checksum(rows) == StoreCopy.checksum(rows))
    }
}
