import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// `prepopulatedForReset` (docs/security.md#pre-populated-contact-data): on, as in Entra, an administrator's phone and
/// email serve a reset before the user confirmed them; off, only what the user verified by code does, for the gate
/// options, the sends and the eligibility count alike.
@Suite struct PrepopulatedContactTests {
    let clock = ManualClock(t0)
    let store: any Store = InMemoryStore()
    let sender = RecordingSender()

    func service(prepopulated: Bool) async throws -> ResetService {
        _ = try await store.savePolicy(try Policy().setting(.prepopulatedForReset, to: String(prepopulated)), expectedVersion: 0)
        return ResetService(
            store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender,
            reportLinks: .testing(store: store, clock: clock, outbox: sender), clock: clock, random: SeededRandomSource(seed: 5))
    }

    /// Alice: a mobile phone and an alternate email an administrator typed, and, when `verifiedPhone`, an
    /// authentication phone she confirmed by code.
    func alice(verifiedPhone: Bool) async throws -> User {
        var user = User(userID: "alice@contoso.com", passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0)
        user.authentication.mobilePhone = try PhoneNumber(international: "+33 6 12 34 56 78")
        user.authentication.alternateEmail = try EmailAddress("alice@example.org")
        if verifiedPhone { user.authentication.authenticationPhone = try PhoneNumber(international: "+33 6 99 88 77 66") }
        try await store.insertUser(user)
        return user
    }

    @Test(arguments: [true, false])
    func aUserWithOnlyPrepopulatedDataIsEligibleOnlyWithTheKnobOn(_ prepopulated: Bool) async throws {
        _ = try await alice(verifiedPhone: false)
        let service = try await service(prepopulated: prepopulated)
        let started = try await service.start(userID: "alice@contoso.com", clientAddress: "192.0.2.1")
        if prepopulated {
            guard case .verify(_, _, let options) = started else { throw TestFailure("refused: \(started)") }
            #expect(Set(options.map(\.option)) == [.mobileSMS, .mobileVoice, .email])
        } else {
            #expect(started == .cannotVerify)
        }
    }

    @Test func withTheKnobOffOnlyTheVerifiedPhoneIsOfferedAndTexted() async throws {
        _ = try await alice(verifiedPhone: true)
        let service = try await service(prepopulated: false)
        guard case .verify(let flow, _, let options) = try await service.start(userID: "alice@contoso.com", clientAddress: "192.0.2.1") else {
            throw TestFailure("refused")
        }
        #expect(Set(options.map(\.option)) == [.mobileSMS, .mobileVoice], "not the administrator's email")
        #expect(options.allSatisfy { $0.destination.hasSuffix("66") }, "the number she verified")
        #expect(try await service.choose(.email, in: flow, language: .english, clientAddress: "192.0.2.1") == .waiting(flow))
        guard case .waiting(let phone) = try await service.choose(.mobileSMS, in: flow, language: .english, clientAddress: "192.0.2.1") else {
            throw TestFailure("no phone check")
        }
        guard case .incorrectPhoneNumber = try await service.confirmPhone("06 12 34 56 78", in: phone, language: .english, clientAddress: "192.0.2.1")
        else { throw TestFailure("the administrator's number was taken") }
        guard case .waiting = try await service.confirmPhone("06 99 88 77 66", in: phone, language: .english, clientAddress: "192.0.2.1") else {
            throw TestFailure("the verified number was refused")
        }
        #expect(sender.messages.map(\.to) == ["+33699887766"])
    }

    @Test func withTheKnobOffPrepopulatedDataNoLongerCompletesTheRegistration() async throws {
        let user = try await alice(verifiedPhone: false)
        var registered = user
        registered.registration.confirm(at: t0)
        var policy = Policy()
        #expect(policy.registrationInterrupt(for: registered, now: t0) == nil)
        policy.prepopulatedForReset = false
        #expect(policy.registrationInterrupt(for: registered, now: t0) == .register)
    }
}
