import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// Changing one's own password in the core, without the web (docs/behaviour.md#change-password).
@Suite struct PasswordChangeServiceTests {
    let clock = ManualClock(t0)
    let store: any Store
    let service: PasswordChangeService
    let user: User

    init() async throws {
        store = InMemoryStore()
        let signIns = SignInService(
            store: store, hasher: fastHasher, directory: nil, secret: .generate(using: SystemRandomSource()), clock: clock,
            dummyHash: try await fastHasher.hash("dummy"))
        service = PasswordChangeService(store: store, hasher: fastHasher, directory: nil, signIns: signIns,
            reportLinks: .testing(store: store, clock: clock, outbox: RecordingSender()), clock: clock)
        user = User(userID: "alice@contoso.com", passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0)
        try await store.insertUser(user)
    }

    func change(current: String = "Zq8#Lw4!Vr2k", new: String, confirm: String? = nil) async throws -> PasswordChangeService.Outcome {
        try await service.change(user, current: current, new: new, confirm: confirm ?? new, policy: Policy(), keepingSession: "kept", requestID: "req")
    }

    @Test func refusalsChangeNothingAndWrongPasswordsAreAudited() async throws {
        #expect(try await change(current: "Wrong-1", new: "Yt7$Mx3!Ps9j") == .refused(.incorrectPassword))
        #expect(try await change(new: "Yt7$Mx3!Ps9j", confirm: "Yt7$Mx3!Ps9k") == .mismatch)
        guard case .rejected(let reasons, _) = try await change(new: "short") else { throw TestFailure("a short password was taken") }
        #expect(reasons.contains(.tooShort))
        #expect(try await change(new: "Zq8#Lw4!Vr2k") != .changed(user), "the current password is not a new one")
        let stored = try #require(try await store.user(id: user.id))
        #expect(await fastHasher.verify("Zq8#Lw4!Vr2k", against: try #require(stored.passwordHash)))
        let audited = try await store.auditEvents(ActivityQuery())
        #expect(audited.first { $0.status == .failure }?.activity == .changePassword)
    }

    @Test func aChangeEndsEveryOtherSessionAndIsAudited() async throws {
        for key in ["kept", "other"] {
            try await store.saveSession(key: key, data: Data("{}".utf8), userID: user.id, expiresAt: t0.addingTimeInterval(3_600))
        }
        guard case .changed(let changed) = try await change(new: "Yt7$Mx3!Ps9j") else { throw TestFailure("refused") }
        #expect(await fastHasher.verify("Yt7$Mx3!Ps9j", against: try #require(changed.passwordHash)))
        #expect(changed.passwordChangedAt == t0)
        let (kept, other) = (try await store.session(key: "kept", now: t0), try await store.session(key: "other", now: t0))
        #expect(kept != nil && other == nil)
        let event = try #require(try await store.auditEvents(ActivityQuery()).first)
        #expect(event.activity == .changePassword && event.status == .success && event.requestID == "req")
    }
}
