import Foundation
import SesameCore
import SesameStore
import SesameTestSupport
import Testing

/// Two instances on one PostgreSQL database, each with its own connection pool, hammering the same user at once:
/// the database alone keeps the counts, so no instance can let through more than the rules allow.
@Suite struct TwoInstanceTests {
    let secret = ServerSecret.generate(using: SystemRandomSource())

    /// Two stores on one fresh database, each with its own client, open while `body` runs.
    func withTwoInstances(_ body: (PostgresStore, PostgresStore) async throws -> Void) async throws {
        try await PostgresStore.withStores(2, url: try await PostgresTestServer.freshDatabase()) { stores in
            try await body(stores[0], stores[1])
        }
    }

    @Test func aCodeHammeredFromTwoInstancesCountsEachAttemptOnce() async throws {
        try await withTwoInstances { first, second in
            let user = User(userID: "alice@contoso.com", createdAt: Date())
            try await first.insertUser(user)
            let services = [first, second].map { CodeService(store: $0, secret: secret, clock: SystemClock(), random: SystemRandomSource()) }
            let (code, challenge) = try await services[0].issue(for: user.id, purpose: .reset, channel: .sms, destination: "+33612345678")
            let wrong = code.digits == "000000" ? "000001" : "000000"
            // 60 wrong guesses and 20 right ones at once, spread over both instances and many connections.
            let outcomes = try await withThrowingTaskGroup(of: CodeCheck.self) { group in
                for index in 0..<80 {
                    group.addTask { try await services[index % 2].verify(index % 4 == 0 ? code.digits : wrong, challengeID: challenge.id) }
                }
                return try await group.reduce(into: [CodeCheck]()) { $0.append($1) }
            }
            let evaluated = outcomes.filter { if case .wrong = $0 { true } else { $0 == .accepted } }
            #expect(evaluated.count <= CodeRules.default.attempts, "at most the allowed attempts were evaluated: \(evaluated.count)")
            #expect(outcomes.filter { $0 == .accepted }.count <= 1, "a code is accepted at most once")
            // 80 tries use up every attempt. A right code whose attempt raced the one that consumed the challenge is told
            // "already used": its attempt was counted but not evaluated, so evaluated attempts can be fewer than taken.
            let left = try #require(try await second.challenge(id: challenge.id)).attemptsLeft
            #expect(left == 0, "every attempt was taken, none twice")
            #expect(evaluated.count <= CodeRules.default.attempts - left, "no attempt was evaluated without being counted")
        }
    }

    @Test func aThrottleHammeredFromTwoInstancesLetsThroughExactlyItsLimit() async throws {
        try await withTwoInstances { first, second in
            let rule = ThrottleKind.identityProof.rule
            let key = ThrottleKey(.identityProof, "alice")
            let now = Date()
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<50 {
                    group.addTask { try await (index.isMultiple(of: 2) ? first : second).recordEvent(key, rule: rule, now: now).allowed }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(allowed == rule.limit)
            #expect(try await first.throttleState(key)?.blockedUntil != nil)
        }
    }

    @Test func aCAPTCHATokenPresentedToBothInstancesAtOnceOpensOneStart() async throws {
        try await withTwoInstances { first, second in
            let captcha = Captcha(secret: secret, clock: SystemClock(), random: SystemRandomSource(), bits: 4)
            let gates = [first, second].map { CaptchaGate(captcha: captcha, store: $0, clock: SystemClock()) }
            let (token, _, _) = captcha.issue()
            let solution = Captcha.solve(token, bits: 4)
            let passed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    group.addTask { try await gates[index % 2].check(CaptchaProof(token: token, solution: solution, answer: nil), clientAddress: "10.0.0.\(index)") == .passed }
                }
                return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(passed == 1)
        }
    }

    @Test func aQueuedMessageIsClaimedByOneInstanceOnly() async throws {
        try await withTwoInstances { first, second in
            let now = Date()
            for _ in 0..<100 {
                try await first.enqueue(QueuedMessage(id: UUID(), channel: .sms, sealed: Data([1]), attempts: 0, enqueuedAt: now, expiresAt: now + 300))
            }
            let claimed = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for worker in 0..<10 {
                    group.addTask {
                        var mine: [UUID] = []
                        while true {
                            let batch = try await (worker.isMultiple(of: 2) ? first : second)
                                .claimDeliveries(now: now + 1, owner: "w\(worker)", leaseUntil: now + 60, limit: 2)
                            if batch.isEmpty { return mine }
                            mine += batch.map(\.id)
                        }
                    }
                }
                return try await group.reduce(into: [UUID]()) { $0 += $1 }
            }
            #expect(claimed.count == 100 && Set(claimed).count == 100)
        }
    }

    @Test func migrationsRunOnceWhenInstancesStartTogether() async throws {
        let url = try await PostgresTestServer.freshDatabase()
        // Four stores opened at once, each migrating before it answers.
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresStore.withStore(url: url) { try await $0.appliedMigrations() } } }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(applied.count == 4 && Set(applied).count == 1)
        #expect(applied.first == ["001 initial schema", "002 sessions", "003 outbox", "004 branding", "005 session users", "006 token scopes", "007 sign-in lockouts", "008 lockout streak", "009 session versions", "010 authenticator app", "011 recovery codes", "012 report links", "013 access passes", "014 session details", "015 password change required", "016 passkeys", "017 scale", "018 reset days", "019 search terms"])
    }
}
