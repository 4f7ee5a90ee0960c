import Foundation

/// Issues and checks one-time codes. Attempts and single use are enforced by the store atomically, so that two
/// server instances checking the same code at once can never accept it twice or allow a fourth try.
public struct CodeService: Sendable {
    private let store: any CodeStore
    private let secret: ServerSecret
    private let clock: any WallClock
    private let random: any RandomSource
    private let rules: CodeRules
    private let metrics: SesameMetrics

    public init(
        store: any CodeStore, secret: ServerSecret, clock: any WallClock, random: any RandomSource,
        rules: CodeRules = .default, metrics: SesameMetrics = .none
    ) {
        self.store = store
        self.secret = secret
        self.clock = clock
        self.random = random
        self.rules = rules
        self.metrics = metrics
    }

    /// Creates and stores a challenge; the returned code goes to the delivery adapter and nowhere else.
    public func issue(
        for userID: UUID, purpose: CodePurpose, channel: CodeChannel, destination: String
    ) async throws -> (code: VerificationCode, challenge: CodeChallenge) {
        let code = VerificationCode.generate(using: random)
        let now = clock.now
        // Time-ordered, as users' ids are: each new challenge lands at the end of the table's index.
        let id = UUID.timeOrdered(at: now)
        let challenge = CodeChallenge(
            id: id, userID: userID, purpose: purpose, channel: channel, destination: destination,
            mac: secret.mac(CodeChallenge.macMessage(id: id, destination: destination, code: code)),
            issuedAt: now, expiresAt: now.addingTimeInterval(rules.lifetime(for: channel)), attemptsLeft: rules.attempts)
        try await store.insertChallenge(challenge)
        metrics.codeSent(channel, purpose: purpose)
        return (code, challenge)
    }

    /// Checks a typed code against a challenge: takes one attempt, compares in constant time, and marks the
    /// challenge used on success.
    public func verify(_ typed: String, challengeID: UUID) async throws -> CodeCheck {
        let check = try await check(typed, challengeID: challengeID)
        metrics.codeChecked(check)
        return check
    }

    private func check(_ typed: String, challengeID: UUID) async throws -> CodeCheck {
        guard let code = VerificationCode(typed) else { return .malformed }
        let now = clock.now
        guard let attempt = try await store.takeAttempt(challengeID: challengeID, now: now) else {
            return try await reasonUnavailable(challengeID, now: now)
        }
        let message = CodeChallenge.macMessage(id: attempt.id, destination: attempt.destination, code: code)
        guard secret.isValid(mac: attempt.mac, for: message) else { return .wrong(attemptsLeft: attempt.attemptsLeft) }
        return try await store.consumeChallenge(id: challengeID, now: now) ? .accepted : .alreadyUsed
    }

    private func reasonUnavailable(_ id: UUID, now: Date) async throws -> CodeCheck {
        guard let challenge = try await store.challenge(id: id) else { return .unknown }
        if challenge.consumedAt != nil { return .alreadyUsed }
        if challenge.expiresAt <= now { return .expired }
        return .exhausted
    }
}
