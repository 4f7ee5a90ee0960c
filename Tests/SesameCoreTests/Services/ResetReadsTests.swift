import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// One step of a reset reads the user once and the policy once, and a step that shows the gate again brings its page
/// from that same reading (docs/architecture.md#one-request-end-to-end).
@Suite struct ResetReadsTests {
    let clock = ManualClock(t0)
    let store = InMemoryStore()
    let sender = RecordingSender()
    let service: ResetService

    init() {
        service = ResetService(store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender, reportLinks: .testing(store: store, clock: clock, outbox: sender), clock: clock, random: SeededRandomSource(seed: 3))
    }

    /// The reads `step` made.
    func reads<T>(_ step: () async throws -> T) async throws -> (T, InMemoryStore.Reads) {
        let before = store.reads
        let result = try await step()
        let after = store.reads
        return (result, InMemoryStore.Reads(users: after.users - before.users, policies: after.policies - before.policies))
    }

    func started() async throws -> ResetFlow {
        var user = User(userID: "alice@contoso.com", passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0)
        user.authentication.mobilePhone = try PhoneNumber(international: "+33 6 12 34 56 78")
        try await store.insertUser(user)
        guard case .verify(let flow, _, _) = try await service.start(userID: "alice@contoso.com", clientAddress: "a") else {
            throw TestFailure("no verification")
        }
        guard case .waiting(let phone) = try await service.choose(.mobileSMS, in: flow, language: .english, clientAddress: "a") else {
            throw TestFailure("the phone was not asked for")
        }
        return phone
    }

    @Test func aWrongPhoneNumberReadsTheUserAndThePolicyOnceAndBringsTheGatesPage() async throws {
        let flow = try await started()
        let (step, read) = try await reads { try await service.confirmPhone("06 00 00 00 00", in: flow, language: .english, clientAddress: "a") }
        guard case .incorrectPhoneNumber(_, let view) = step else { throw TestFailure("wrong number accepted: \(step)") }
        #expect(read == InMemoryStore.Reads(users: 1, policies: 1))
        #expect(view == (try await service.gateView(of: flow)), "the page a fresh reading would show")
        #expect(view.step == 1 && view.gates == 1 && view.destination == "+33 6•• •• •• 78")
    }

    @Test func aWrongCodeReadsTheUserAndThePolicyOnce() async throws {
        let phone = try await started()
        guard case .waiting(let sent) = try await service.confirmPhone("06 12 34 56 78", in: phone, language: .english, clientAddress: "a") else {
            throw TestFailure("no code sent")
        }
        let (step, read) = try await reads { try await service.verifyCode("000000", in: sent) }
        guard case .wrong(_, let left?, _) = step else { throw TestFailure("wrong code accepted: \(step)") }
        #expect(left == 2)
        #expect(read == InMemoryStore.Reads(users: 1, policies: 1))
    }

    @Test func thePageAfterTheGatesAndTheNewPasswordReadTheUserAndThePolicyOnce() async throws {
        let phone = try await started()
        guard case .waiting(let sent) = try await service.confirmPhone("06 12 34 56 78", in: phone, language: .english, clientAddress: "a"),
            case .passed(let verified, _) = try await service.verifyCode(sender.lastCode ?? "", in: sent)
        else { throw TestFailure("the gate was not passed") }
        let (choice, chosen) = try await reads { try await service.passwordChoice(for: verified, offeringUnlock: true) }
        #expect(choice == .newPassword && chosen == InMemoryStore.Reads(users: 1, policies: 1))
        let (done, set) = try await reads { try await service.setPassword("Yt7$Mx3!Ps9j", in: verified) }
        #expect(done == .done && set == InMemoryStore.Reads(users: 1, policies: 1))
    }

    @Test func aCancelOrAnAbandonReadsTheUserOnce() async throws {
        let flow = try await started()
        let (_, cancelled) = try await reads { try await service.cancel(flow) }
        let (_, abandoned) = try await reads { try await service.abandon(flow) }
        #expect(cancelled == InMemoryStore.Reads(users: 1, policies: 1), "the policy tells whether every gate is passed")
        #expect(abandoned == InMemoryStore.Reads(users: 1, policies: 0), "a challenge under way says where it stopped")
        let details = try await store.resetActivities(ActivityQuery()).map(\.detail)
        #expect(details == [.abandonedAfterStartingOption(.mobileSMS), .cancelledBeforeMethods])
    }
}
