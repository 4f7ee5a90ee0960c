import Foundation
import SesameCore
import Synchronization

// MARK: PolicyStore
extension InMemoryStore {
    public func policy() async throws -> VersionedPolicy? {
        state.withLock { state in
            state.reads.policies += 1
            return state.policy
        }
    }

    public func savePolicy(_ policy: Policy, expectedVersion: Int) async throws -> Int {
        try state.withLock { state in
            guard (state.policy?.version ?? 0) == expectedVersion else { throw StoreError.conflict("the policy") }
            let (version, overflow) = expectedVersion.addingReportingOverflow(1)
            guard !overflow else { throw StoreError.conflict("the policy") }
            state.policy = VersionedPolicy(policy: policy, version: version)
            return version
        }
    }
}

// MARK: BrandingStore
extension InMemoryStore {
    public func logo() async throws -> Logo? {
        state.withLock { $0.logo }
    }

    public func saveLogo(_ logo: Logo?) async throws {
        state.withLock { $0.logo = logo }
    }
}

// MARK: CodeStore
extension InMemoryStore {
    /// A challenge belongs to a user that exists, as the adapters' foreign key requires.
    public func insertChallenge(_ challenge: CodeChallenge) async throws {
        try state.withLock { state in
            guard state.users[challenge.userID] != nil else { throw StoreError.unavailable("no user \(challenge.userID) for the challenge") }
            guard state.challenges[challenge.id] == nil else { throw StoreError.conflict("challenge \(challenge.id)") }
            state.challenges[challenge.id] = challenge
        }
    }

    public func challenge(id: UUID) async throws -> CodeChallenge? {
        state.withLock { $0.challenges[id] }
    }

    public func takeAttempt(challengeID: UUID, now: Date) async throws -> CodeChallenge? {
        state.withLock { state in
            guard var challenge = state.challenges[challengeID], challenge.consumedAt == nil, challenge.expiresAt > now, challenge.attemptsLeft > 0
            else { return nil }
            challenge.attemptsLeft -= 1
            state.challenges[challengeID] = challenge
            return challenge
        }
    }

    public func consumeChallenge(id: UUID, now: Date) async throws -> Bool {
        state.withLock { state in
            guard let challenge = state.challenges[id], challenge.consumedAt == nil else { return false }
            state.challenges[id]?.consumedAt = now
            return true
        }
    }

    public func deleteChallenges(expiredBefore date: Date) async throws -> Int {
        state.withLock { state in
            let before = state.challenges.count
            state.challenges = state.challenges.filter { $0.value.expiresAt >= date }
            return before - state.challenges.count
        }
    }
}

// MARK: ThrottleStore
extension InMemoryStore {
    /// The reference semantics themselves, under the lock.
    public func recordEvents(_ events: [ThrottleEvent], now: Date) async throws -> [ThrottleOutcome] {
        state.withLock { state in
            var outcomes: [ThrottleOutcome] = []
            for event in events {
                let outcome = ThrottleState.recordingEvent(state.throttles[event.key], rule: event.rule, at: now)
                state.throttles[event.key] = outcome.state
                outcomes.append(outcome)
                if !outcome.allowed { break }
            }
            return outcomes
        }
    }

    public func throttleStates(_ keys: [ThrottleKey]) async throws -> [ThrottleKey: ThrottleState] {
        state.withLock { state in keys.reduce(into: [:]) { states, key in states[key] = state.throttles[key] } }
    }

    public func clearThrottles(subject: String, kinds: [ThrottleKind]) async throws {
        state.withLock { state in
            state.throttles = state.throttles.filter { key, _ in
                !(kinds.contains(key.kind) && (key.subject == subject || key.subject.hasPrefix(subject + "|")))
            }
        }
    }

    public func deleteThrottles(settledBefore cutoff: Date, now: Date) async throws -> Int {
        state.withLock { state in
            let before = state.throttles.count
            state.throttles = state.throttles.filter { $0.value.windowStart >= cutoff || !($0.value.blockedUntil.map { $0 <= now } ?? true) }
            return before - state.throttles.count
        }
    }
}

// MARK: TokenStore
extension InMemoryStore {
    public func insertToken(_ token: APIToken) async throws {
        try state.withLock { state in
            guard !state.tokens.contains(where: { $0.id == token.id || $0.digest == token.digest }) else { throw StoreError.conflict("token \(token.name)") }
            state.tokens.append(token)
        }
    }

    public func token(digest: String) async throws -> APIToken? {
        state.withLock { state in state.tokens.first { $0.digest == digest } }
    }

    /// Oldest first; tokens created in the same instant in the order they were written.
    public func tokens() async throws -> [APIToken] {
        state.withLock { state in
            state.tokens.enumerated().sorted { ($0.element.createdAt, $0.offset) < ($1.element.createdAt, $1.offset) }.map(\.element)
        }
    }

    public func revokeToken(id: UUID, at date: Date) async throws {
        state.withLock { state in
            for index in state.tokens.indices where state.tokens[index].id == id && state.tokens[index].revokedAt == nil {
                state.tokens[index].revokedAt = date
            }
        }
    }

    public func touchToken(id: UUID, at date: Date) async throws {
        state.withLock { state in
            for index in state.tokens.indices where state.tokens[index].id == id { state.tokens[index].lastUsedAt = date }
        }
    }
}
