import Foundation
import MetricsTestKit
import SesameCore
import SesameTestSupport
import Testing

/// What the core services count for the operator (docs/operations.md#metrics): resets started and ended, codes sent
/// and checked, throttle refusals, sign-ins by outcome.
@Suite struct ServiceMetricsTests {
    let clock = ManualClock(t0)
    let store = InMemoryStore()
    let sender = RecordingSender()
    let recorded = TestMetrics()
    var metrics: SesameMetrics { SesameMetrics(factory: recorded) }

    func count(_ label: String, _ dimensions: [(String, String)] = []) -> Int64 {
        recorded.counterTotal(label: label, dimensions: dimensions)
    }

    @Test func aResetIsCountedFromItsStartToItsEndWithItsCodes() async throws {
        let resets = ResetService(
            store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender, reportLinks: .testing(store: store, clock: clock, outbox: sender), clock: clock,
            random: SeededRandomSource(seed: 9), metrics: metrics)
        var user = User(userID: "alice@contoso.com", passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0)
        user.authentication.mobilePhone = try PhoneNumber(international: "+33 6 12 34 56 78")
        try await store.insertUser(user)

        #expect(try await resets.start(userID: "ghost@contoso.com", clientAddress: "192.0.2.1") == .cannotVerify)
        guard case .verify(let started, _, _) = try await resets.start(userID: "alice@contoso.com", clientAddress: "192.0.2.1") else {
            throw TestFailure("alice cannot start")
        }
        var flow = started
        guard case .waiting(let chosen) = try await resets.choose(.mobileSMS, in: flow, language: .english, clientAddress: "192.0.2.1") else {
            throw TestFailure("SMS refused")
        }
        guard case .waiting(let confirmed) = try await resets.confirmPhone("06 12 34 56 78", in: chosen, language: .english, clientAddress: "192.0.2.1") else {
            throw TestFailure("phone refused")
        }
        flow = confirmed
        _ = try await resets.verifyCode("000000" == sender.lastCode ? "111111" : "000000", in: flow)
        try await resets.cancel(flow)

        #expect(count("sesame_resets_started_total") == 2)
        #expect(count("sesame_resets_ended_total", [("result", "failed")]) == 1, "the unknown user")
        #expect(count("sesame_resets_ended_total", [("result", "cancelled")]) == 1)
        #expect(count("sesame_codes_sent_total", [("channel", "sms"), ("purpose", "reset")]) == 1)
        #expect(count("sesame_codes_checked_total", [("outcome", "wrong")]) == 1)
    }

    @Test func signInsAreCountedByOutcomeAndThrottleRefusalsByKind() async throws {
        let signIns = SignInService(
            store: store, hasher: fastHasher, directory: nil, secret: .generate(using: SystemRandomSource()), clock: clock,
            dummyHash: try await fastHasher.hash("dummy"), metrics: metrics)
        try await store.insertUser(User(userID: "alice@contoso.com", passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0))
        _ = try await signIns.signIn(userID: "alice@contoso.com", password: "Zq8#Lw4!Vr2k", clientAddress: "192.0.2.1")
        // 30 failures from one network block it (docs/behaviour.md#throttles): the next attempt is refused unheard.
        for index in 0..<30 { _ = try await signIns.signIn(userID: "user\(index)@contoso.com", password: "wrong", clientAddress: "192.0.2.9") }
        #expect(try await signIns.signIn(userID: "alice@contoso.com", password: "Zq8#Lw4!Vr2k", clientAddress: "192.0.2.9") == .tooManyFromNetwork)

        #expect(count("sesame_sign_ins_total", [("outcome", "succeeded")]) == 1)
        #expect(count("sesame_sign_ins_total", [("outcome", "refused")]) == 30)
        #expect(count("sesame_sign_ins_total", [("outcome", "throttled")]) == 1)
        #expect(count("sesame_throttle_blocks_total", [("kind", "clientSignIn")]) == 1)
    }
}
