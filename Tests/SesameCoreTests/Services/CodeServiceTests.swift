import Foundation
import SesameCore
import SesameTestSupport
import Testing

@Suite struct CodeServiceTests {
    let clock = ManualClock(t0)
    let store: any Store
    let service: CodeService
    let user: User

    init() async throws {
        store = InMemoryStore()
        user = try sampleUser()
        try await store.insertUser(user)
        service = CodeService(
            store: store, secret: .generate(using: SystemRandomSource()), clock: clock, random: SystemRandomSource())
    }

    func issue() async throws -> (VerificationCode, CodeChallenge) {
        try await service.issue(for: user.id, purpose: .reset, channel: .sms, destination: "+33611111111")
    }

    @Test func theRightCodeWorksOnce() async throws {
        let (code, challenge) = try await issue()
        #expect(challenge.expiresAt == t0.addingTimeInterval(300) && challenge.attemptsLeft == 3)
        #expect(try await service.verify(code.digits, challengeID: challenge.id) == .accepted)
        #expect(try await service.verify(code.digits, challengeID: challenge.id) == .alreadyUsed, "a replayed code is refused")
    }

    @Test func threeWrongTriesVoidTheCode() async throws {
        let (code, challenge) = try await issue()
        let wrong = code.digits == "000000" ? "000001" : "000000"
        #expect(try await service.verify(wrong, challengeID: challenge.id) == .wrong(attemptsLeft: 2))
        #expect(try await service.verify(wrong, challengeID: challenge.id) == .wrong(attemptsLeft: 1))
        #expect(try await service.verify(wrong, challengeID: challenge.id) == .wrong(attemptsLeft: 0))
        #expect(try await service.verify(code.digits, challengeID: challenge.id) == .exhausted)
    }

    @Test func codesExpireAfterFiveMinutes() async throws {
        let (code, challenge) = try await issue()
        clock.advance(by: 299)
        let (second, secondChallenge) = try await issue()
        #expect(try await service.verify(second.digits, challengeID: secondChallenge.id) == .accepted)
        clock.advance(by: 1)
        #expect(try await service.verify(code.digits, challengeID: challenge.id) == .expired)
    }

    @Test func malformedAndUnknown() async throws {
        let (_, challenge) = try await issue()
        #expect(try await service.verify("12ab56", challengeID: challenge.id) == .malformed)
        #expect(try await store.challenge(id: challenge.id)?.attemptsLeft == 3, "a malformed entry costs no attempt")
        #expect(try await service.verify("123456", challengeID: UUID()) == .unknown)
    }

    @Test func onlyAnHMACIsStored() async throws {
        let (code, challenge) = try await issue()
        let stored = try #require(try await store.challenge(id: challenge.id))
        #expect(stored.mac.count == 32)
        #expect(!String(decoding: stored.mac, as: UTF8.self).contains(code.digits))
        // A different secret cannot accept the code.
        let other = CodeService(store: store, secret: .generate(using: SystemRandomSource()), clock: clock, random: SystemRandomSource())
        #expect(try await other.verify(code.digits, challengeID: challenge.id) == .wrong(attemptsLeft: 2))
    }
}
