import Foundation
import SesameCore
import SesameTestSupport
import Testing

@Suite struct CodeStoreContractTests {
    func challenge(for user: User, expiresIn seconds: TimeInterval = 300) -> CodeChallenge {
        CodeChallenge(
            id: UUID(), userID: user.id, purpose: .registration, channel: .email, destination: "alice@private.example",
            mac: [9, 8, 7], issuedAt: t0, expiresAt: t0.addingTimeInterval(seconds), attemptsLeft: 3)
    }

    @Test(arguments: StoreAdapter.allCases)
    func attemptsCountDownThenStop(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = try sampleUser()
            try await store.insertUser(user)
            let code = challenge(for: user)
            try await store.insertChallenge(code)
            #expect(try await store.challenge(id: code.id) == code)
            for left in [2, 1, 0] {
                #expect(try await store.takeAttempt(challengeID: code.id, now: t0)?.attemptsLeft == left)
            }
            #expect(try await store.takeAttempt(challengeID: code.id, now: t0) == nil)
            #expect(try await store.takeAttempt(challengeID: UUID(), now: t0) == nil)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func expiredAndConsumedChallengesTakeNoAttempt(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = try sampleUser()
            try await store.insertUser(user)
            let code = challenge(for: user)
            try await store.insertChallenge(code)
            #expect(try await store.takeAttempt(challengeID: code.id, now: t0.addingTimeInterval(300)) == nil, "expired at its expiry time")
            #expect(try await store.consumeChallenge(id: code.id, now: t0))
            #expect(!(try await store.consumeChallenge(id: code.id, now: t0)), "single use")
            #expect(try await store.takeAttempt(challengeID: code.id, now: t0) == nil)
            #expect(try await store.challenge(id: code.id)?.consumedAt == t0)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func concurrentAttemptsNeverExceedTheLimit(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = try sampleUser()
            try await store.insertUser(user)
            let code = challenge(for: user)
            try await store.insertChallenge(code)
            let taken = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<50 { group.addTask { (try? await store.takeAttempt(challengeID: code.id, now: t0)) != nil } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(taken == 3)
            let consumed = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<50 { group.addTask { (try? await store.consumeChallenge(id: code.id, now: t0)) == true } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(consumed == 1)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func expiredChallengesAreSwept(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let user = try sampleUser()
            try await store.insertUser(user)
            try await store.insertChallenge(challenge(for: user, expiresIn: 10))
            let live = challenge(for: user, expiresIn: 1_000)
            try await store.insertChallenge(live)
            #expect(try await store.deleteChallenges(expiredBefore: t0.addingTimeInterval(500)) == 1)
            #expect(try await store.challenge(id: live.id) != nil)
        }
    }
}

@Suite struct ThrottleStoreContractTests {
    /// The store applies exactly the core's reference semantics, over a long random sequence of events.
    @Test(arguments: StoreAdapter.allCases)
    func agreesWithTheReferenceSemantics(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let random = SeededRandomSource(seed: 11)
            let rule = ThrottleRule(limit: 4, window: 100, block: 250)
            let key = ThrottleKey(.identityProof, "user-1")
            var expected: ThrottleState? = nil
            var now = t0
            for _ in 0..<400 {
                now = now.addingTimeInterval(Double(random.uniform(below: 60)))
                let reference = ThrottleState.recordingEvent(expected, rule: rule, at: now)
                let actual = try await store.recordEvent(key, rule: rule, now: now)
                #expect(actual == reference, "at \(now.timeIntervalSince(t0))")
                expected = reference.state
            }
            #expect(try await store.throttleState(key) == expected)
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func concurrentEventsAreAllCounted(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let key = ThrottleKey(.emailSend, "user-2")
            let allowed = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<40 { group.addTask { (try? await store.recordEvent(key, rule: ThrottleKind.emailSend.rule, now: t0))?.allowed == true } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(allowed == 10, "the limit, and not one more")
            let count = try await store.throttleState(key)?.count
            #expect(count == 10)
        }
    }

    /// A send's limits are counted in one call, in order (in one write on SQLite); those after a refusal are not
    /// counted (docs/security.md#abuse).
    @Test(arguments: StoreAdapter.allCases)
    func eventsCountedTogetherStopAtTheFirstRefused(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let rule = ThrottleRule(limit: 2, window: 100, block: 250)
            let (first, blocked, after) = (ThrottleKey(.phoneSend, "a"), ThrottleKey(.phoneSend, "b"), ThrottleKey(.phoneSend, "c"))
            for _ in 0..<2 { _ = try await store.recordEvent(blocked, rule: rule, now: t0) }
            let outcomes = try await store.recordEvents([first, blocked, after].map { ThrottleEvent($0, rule: rule) }, now: t0 + 1)
            #expect(outcomes.map(\.allowed) == [true, false])
            #expect(try await store.throttleState(first)?.count == 1)
            #expect(try await store.throttleState(blocked)?.count == 2, "a refused event leaves its counter as it was")
            #expect(try await store.throttleState(after) == nil, "not counted after the refusal")
            let allowed = try await store.recordEvents([first, after].map { ThrottleEvent($0, rule: rule) }, now: t0 + 2)
            #expect(allowed.map(\.allowed) == [true, true])
            #expect(allowed.map(\.state.count) == [2, 1])
            #expect(try await store.throttleState(first)?.isBlocked(at: t0 + 2) == true, "the limit reached starts the block")
        }
    }

    /// Several counters read at once answer each key with its own counter, never one that shares its kind or its
    /// subject, and leave out the keys with none.
    @Test(arguments: StoreAdapter.allCases)
    func severalCountersReadAtOnce(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let rule = ThrottleRule(limit: 2, window: 100, block: 250)
            let (counted, blocked, absent) = (ThrottleKey(.identityProof, "u"), ThrottleKey(.reportedEvent, "v"), ThrottleKey(.reportedEvent, "w"))
            _ = try await store.recordEvent(counted, rule: rule, now: t0)
            // Blocked, and each pairs the kind of one key asked with the subject of another.
            for key in [blocked, ThrottleKey(.identityProof, "v"), ThrottleKey(.reportedEvent, "u")] {
                for _ in 0..<2 { _ = try await store.recordEvent(key, rule: rule, now: t0) }
            }
            let states = try await store.throttleStates([counted, blocked, absent])
            #expect(Set(states.keys) == [counted, blocked])
            #expect(states[counted]?.count == 1)
            #expect(states[blocked]?.count == 2)
            #expect(try await store.isAnyBlocked([counted, blocked], at: t0 + 1))
            #expect(try await !store.isAnyBlocked([counted, absent], at: t0 + 1), "not (reportedEvent, u), blocked")
            #expect(try await !store.isAnyBlocked([blocked], at: t0 + 250), "the block is over")
            #expect(try await store.throttleStates([]).isEmpty)
            // Subjects with the characters of a text array's syntax, a network and other scripts; a key asked twice.
            let awkward = ["u|203.0.113.1", #"{"a,b"}\"#, "Zoë ☃ 名前"].map { ThrottleKey(.identityProof, $0) }
            for key in awkward { _ = try await store.recordEvent(key, rule: rule, now: t0) }
            let read = try await store.throttleStates(awkward + [counted, awkward[1]])
            #expect(Set(read.keys) == Set(awkward + [counted]))
            #expect(read.values.allSatisfy { $0.count == 1 })
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func clearingForgetsOnlyTheNamedCounters(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            for kind in ThrottleKind.allCases {
                _ = try await store.recordEvent(ThrottleKey(kind, "u"), rule: kind.rule, now: t0)
                _ = try await store.recordEvent(ThrottleKey(kind, "other"), rule: kind.rule, now: t0)
            }
            try await store.clearThrottles(subject: "u", kinds: ThrottleKind.perUser)
            for kind in ThrottleKind.allCases {
                #expect((try await store.throttleState(ThrottleKey(kind, "u")) == nil) == ThrottleKind.perUser.contains(kind))
                #expect(try await store.throttleState(ThrottleKey(kind, "other")) != nil)
            }
        }
    }

    /// A user's counters kept per network go with the user's (docs/security.md#malicious-lockout); another subject
    /// that merely starts alike stays.
    @Test(arguments: StoreAdapter.allCases)
    func clearingForgetsTheSubjectsCountersPerNetwork(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let rule = ThrottleKind.addressIdentityProof.rule
            for subject in ["u|203.0.113.1", "u|2001:db8::1", "uv|203.0.113.1", "u"] {
                _ = try await store.recordEvent(ThrottleKey(.addressIdentityProof, subject), rule: rule, now: t0)
            }
            _ = try await store.recordEvent(ThrottleKey(.phoneCheck, "u|203.0.113.1"), rule: rule, now: t0)
            try await store.clearThrottles(subject: "u", kinds: [.addressIdentityProof])
            for subject in ["u|203.0.113.1", "u|2001:db8::1", "u"] {
                #expect(try await store.throttleState(ThrottleKey(.addressIdentityProof, subject)) == nil, "\(subject)")
            }
            #expect(try await store.throttleState(ThrottleKey(.addressIdentityProof, "uv|203.0.113.1")) != nil)
            #expect(try await store.throttleState(ThrottleKey(.phoneCheck, "u|203.0.113.1")) != nil, "only the kinds named")
        }
    }

    @Test(arguments: StoreAdapter.allCases)
    func sweepingDeletesOnlySettledCounters(_ adapter: StoreAdapter) async throws {
        try await adapter.withStore { store in
            let spent = ThrottleKey(.captchaToken, "nonce")
            #expect(try await store.recordEvent(spent, rule: ThrottleKind.captchaToken.rule, now: t0).allowed)
            #expect(try await !store.recordEvent(spent, rule: ThrottleKind.captchaToken.rule, now: t0 + 1).allowed, "a token is used once")
            let blocked = ThrottleKey(.addressIdentityProof, "user|10.0.0.2")
            for _ in 0..<5 { _ = try await store.recordEvent(blocked, rule: ThrottleKind.addressIdentityProof.rule, now: t0) }
            let recent = ThrottleKey(.clientResetStart, "10.0.0.1")
            _ = try await store.recordEvent(recent, rule: ThrottleKind.clientResetStart.rule, now: t0 + 3_600)
            let now = t0 + 7_200
            #expect(try await store.deleteThrottles(settledBefore: t0 + 1_800, now: now) == 1, "only the spent token: its block is over")
            #expect(try await store.throttleState(spent) == nil)
            #expect(try await store.throttleState(blocked)?.isBlocked(at: now) == true, "a live block stays")
            #expect(try await store.throttleState(recent) != nil, "a window still open stays")
        }
    }
}
