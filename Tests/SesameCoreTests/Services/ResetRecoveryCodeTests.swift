import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// The recovery-code gate over the in-memory store (docs/behaviour.md#recovery-codes).
@Suite struct ResetRecoveryCodeTests {
    let clock = ManualClock(t0)
    let store = InMemoryStore()
    let sender = RecordingSender()
    let service: ResetService

    init() {
        service = ResetService(
            store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender, reportLinks: .testing(store: store, clock: clock, outbox: sender), clock: clock, random: SeededRandomSource(seed: 4))
    }

    /// Alice with an alternate email and a confirmed set of codes, under `methods` and `required`.
    func alice(methods: String = "email,recoveryCodes", required: Int = 1) async throws -> (User, [RecoveryCode]) {
        _ = try await store.savePolicy(try Policy().setting(.methods, to: methods).setting(.methodsRequired, to: String(required)), expectedVersion: 0)
        var user = User(userID: "alice@contoso.com", passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0)
        user.authentication.alternateEmail = try EmailAddress("alice@example.org")
        try await store.insertUser(user)
        let codes = RecoveryCodeService(store: store, hasher: fastHasher, outbox: sender, clock: clock, random: SeededRandomSource(seed: 8))
        let new = try await codes.generate()
        _ = try await codes.confirm(new.codes[0].grouped, of: new.hashes, for: user, requestID: nil)
        return (user, new.codes)
    }

    func chosen(_ start: ResetStart) async throws -> ResetFlow {
        guard case .verify(let flow, _, let options) = start else { throw TestFailure("expected verification, got \(start)") }
        #expect(options.map(\.option) == [.email, .recoveryCode])
        guard case .waiting(let chosen) = try await service.choose(.recoveryCode, in: flow, language: .english, clientAddress: "192.0.2.1") else {
            throw TestFailure("the recovery code option was refused")
        }
        #expect(chosen.challenge == .recoveryCode)
        return chosen
    }

    @Test func aRecoveryCodePassesOneGateAndTheSecondNeedsAnotherMethod() async throws {
        let (_, codes) = try await alice(required: 2)
        let flow = try await chosen(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        guard case .passed(let passed, let left) = try await service.useRecoveryCode(codes[5].grouped.lowercased(), in: flow) else {
            throw TestFailure("the right code was refused")
        }
        #expect(passed.passed == [.recoveryCode])
        #expect(left.map(\.option) == [.email], "the second gate needs another method")
        #expect(sender.messages.isEmpty, "nothing sent for a recovery code")
    }

    @Test func aUsedCodeDoesNotPassAgain() async throws {
        let (_, codes) = try await alice()
        let first = try await chosen(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        guard case .passed = try await service.useRecoveryCode(codes[1].grouped, in: first) else { throw TestFailure("refused") }
        let second = try await chosen(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        guard case .wrong(_, nil, _) = try await service.useRecoveryCode(codes[1].grouped, in: second) else { throw TestFailure("a used code passed") }
    }

    /// As five wrong SMS codes: the fifth wrong recovery code blocks the user for 24 hours, whatever the flow.
    @Test func fiveWrongCodesBlockForADay() async throws {
        let (user, codes) = try await alice()
        let flow = try await chosen(try await service.start(userID: "alice@contoso.com", clientAddress: "a"))
        guard case .wrong = try await service.useRecoveryCode("12", in: flow) else { throw TestFailure("malformed") }
        for _ in 1...4 {
            guard case .wrong(_, nil, _) = try await service.useRecoveryCode("1ZZZ-ZZZZ-ZZZZ-ZZZZ", in: flow) else { throw TestFailure("accepted") }
        }
        #expect(try await service.useRecoveryCode("2ZZZ-ZZZZ-ZZZZ-ZZZZ", in: flow) == .blocked)
        #expect(try await service.useRecoveryCode(codes[3].grouped, in: flow) == .blocked, "the right code proves nothing after the block")
        #expect(try await service.start(userID: "alice@contoso.com", clientAddress: "a") == .blocked)
        let here = ThrottleKey(.addressIdentityProof, ThrottleKey.subject(user: user.id, client: "a"))
        #expect(try await store.throttleState(here)?.blockedUntil == clock.now.addingTimeInterval(86_400))
        let blocked = try #require(try await store.resetActivities(ActivityQuery()).first)
        #expect(blocked.detail == .blockedInvalidCodes(.recoveryCode))
        #expect(try await store.user(id: user.id)?.authentication.recoveryCodesLeft == 10, "no code was spent")
    }

    @Test func administratorsAreNeverOfferedRecoveryCodes() async throws {
        _ = try await alice()
        var admin = try #require(try await store.user(userID: "alice@contoso.com"))
        admin.roles = [.globalAdmin]
        admin.authentication.mobilePhone = try PhoneNumber(international: "+33 6 12 34 56 78")
        try await store.updateUser(admin)
        guard case .verify(_, _, let options) = try await service.start(userID: "alice@contoso.com", clientAddress: "a") else {
            throw TestFailure("expected verification")
        }
        #expect(!options.map(\.option).contains(.recoveryCode))
    }
}
