import Foundation
import SesameCore
import SesameTestSupport
import Synchronization
import Testing

@Suite struct SignInServiceTests {
    let clock = ManualClock(t0)
    let store: any Store
    let service: SignInService

    init() async throws {
        store = InMemoryStore()
        service = SignInService(
            store: store, hasher: fastHasher, directory: nil, secret: .generate(using: SystemRandomSource()), clock: clock,
            dummyHash: try await fastHasher.hash("dummy"))
        try await store.insertUser(User(userID: "alice@contoso.com", passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0))
    }

    @Test func failuresFromOneNetworkStopItWithoutStoppingOthers() async throws {
        for index in 1...30 {
            #expect(try await service.signIn(userID: "user\(index)@contoso.com", password: "guess", clientAddress: "203.0.113.1") == .failed)
        }
        #expect(try await service.signIn(userID: "alice@contoso.com", password: "Zq8#Lw4!Vr2k", clientAddress: "203.0.113.1") == .tooManyFromNetwork)
        guard case .accepted = try await service.signIn(userID: "alice@contoso.com", password: "Zq8#Lw4!Vr2k", clientAddress: "198.51.100.1") else {
            throw TestFailure("another network was refused")
        }
        clock.advance(by: 1_801)
        guard case .accepted = try await service.signIn(userID: "alice@contoso.com", password: "Zq8#Lw4!Vr2k", clientAddress: "203.0.113.1") else {
            throw TestFailure("still refused after 30 minutes")
        }
    }

    /// Before, no path set a user's language, so every notice went out in English.
    @Test func signingInKeepsThePagesLanguage() async throws {
        guard case .accepted(let user) = try await service.signIn(userID: "alice@contoso.com", password: "Zq8#Lw4!Vr2k", clientAddress: "a", language: .french) else {
            throw TestFailure("refused")
        }
        let stored = try await store.user(id: user.id)
        #expect(user.locale == .french && stored?.locale == .french)
    }

    /// An unknown user ID locks and unlocks on the same schedule as a real one, its own name in any case.
    @Test func anUnknownUserIDLocksOnARealUsersSchedule() async throws {
        for userID in ["alice@contoso.com", "ghost@contoso.com"] {
            for attempt in 1...10 {
                #expect(try await service.signIn(userID: userID, password: "wrong \(attempt)", clientAddress: "a\(attempt)") == .failed)
            }
            #expect(try await service.signIn(userID: userID.uppercased(), password: "wrong 11", clientAddress: "b") == .locked(until: t0.addingTimeInterval(60)))
        }
        clock.advance(by: 61)
        // The eleventh failure locks for twice as long, for both.
        for userID in ["alice@contoso.com", "ghost@contoso.com"] {
            #expect(try await service.signIn(userID: userID, password: "wrong 11", clientAddress: "c") == .failed)
            #expect(try await service.signIn(userID: userID, password: "wrong 12", clientAddress: "c") == .locked(until: clock.now.addingTimeInterval(120)))
        }
    }
}

extension SignInServiceTests {
    /// Before, an unknown ID's failures were forgotten after 7 quiet days and a real user's never: nine failures, a
    /// week's wait and a tenth told the two apart.
    @Test func failuresAreForgottenAfterAQuietWeekForEveryUserID() async throws {
        for userID in ["alice@contoso.com", "ghost@contoso.com"] {
            for attempt in 1...9 {
                #expect(try await service.signIn(userID: userID, password: "wrong \(attempt)", clientAddress: "a\(attempt)") == .failed)
            }
        }
        clock.advance(by: SignInLockout.forgottenAfter)
        for userID in ["alice@contoso.com", "ghost@contoso.com"] {
            #expect(try await service.signIn(userID: userID, password: "wrong 10", clientAddress: "b") == .failed)
            #expect(try await service.signIn(userID: userID, password: "wrong 11", clientAddress: "b") == .failed, "\(userID) starts again from one")
        }
    }
}

/// After 3 failed sign-ins from one network within 10 minutes, its sign-ins need the CAPTCHA for 30 minutes; a
/// missing or wrong one costs no password check and counts nothing (docs/security.md#sign-in-captcha).
@Suite struct SignInCaptchaTests {
    let clock = ManualClock(t0)
    let store: any Store
    let captcha: Captcha
    let service: SignInService
    let password = "Zq8#Lw4!Vr2k"

    init() async throws {
        store = InMemoryStore()
        let secret = ServerSecret.generate(using: SystemRandomSource())
        captcha = Captcha(secret: secret, clock: clock, random: SystemRandomSource(), bits: 4)
        service = SignInService(
            store: store, hasher: fastHasher, directory: nil, secret: secret, clock: clock, dummyHash: try await fastHasher.hash("dummy"),
            captchaGate: CaptchaGate(captcha: captcha, store: store, clock: clock))
        try await store.insertUser(User(userID: "alice@contoso.com", passwordHash: try await fastHasher.hash(password), createdAt: t0))
    }

    func solved() -> CaptchaProof {
        let token = captcha.issue().token
        return CaptchaProof(token: token, solution: Captcha.solve(token, bits: 4), answer: nil)
    }

    func lockoutFailures() async throws -> Int {
        try #require(try await store.user(userID: "alice@contoso.com")).lockout.failures
    }

    @Test func threeFailuresFromANetworkAskItTheCaptcha() async throws {
        for _ in 1...3 {
            #expect(try await !service.needsCaptcha(clientAddress: "203.0.113.1"))
            #expect(try await service.signIn(userID: "alice@contoso.com", password: "guess", clientAddress: "203.0.113.1") == .failed)
        }
        #expect(try await service.needsCaptcha(clientAddress: "203.0.113.1"))
        #expect(try await !service.needsCaptcha(clientAddress: "198.51.100.1"), "another network is not asked")
        let failures = try await lockoutFailures()
        // Missing, then wrong: refused before the password, which is right, is even looked at; nothing counted.
        #expect(try await service.signIn(userID: "alice@contoso.com", password: password, clientAddress: "203.0.113.1") == .captchaRequired)
        let wrong = CaptchaProof(token: captcha.issue().token, solution: "x", answer: nil)
        #expect(try await service.signIn(userID: "alice@contoso.com", password: "guess", clientAddress: "203.0.113.1", captcha: wrong) == .captchaRequired)
        #expect(try await lockoutFailures() == failures, "no lockout count without the CAPTCHA")
        // A token opens one attempt only.
        let proof = solved()
        guard case .accepted = try await service.signIn(userID: "alice@contoso.com", password: password, clientAddress: "203.0.113.1", captcha: proof) else {
            throw TestFailure("a right CAPTCHA and password were refused")
        }
        #expect(try await service.signIn(userID: "alice@contoso.com", password: password, clientAddress: "203.0.113.1", captcha: proof) == .captchaRequired)
        clock.advance(by: 1_801)
        #expect(try await !service.needsCaptcha(clientAddress: "203.0.113.1"), "asked for 30 minutes")
    }

    @Test func aRightCaptchaWithAWrongPasswordCountsAsAnyFailure() async throws {
        for _ in 1...3 { _ = try await service.signIn(userID: "alice@contoso.com", password: "guess", clientAddress: "203.0.113.1") }
        let failures = try await lockoutFailures()
        #expect(try await service.signIn(userID: "alice@contoso.com", password: "guess 2", clientAddress: "203.0.113.1", captcha: solved()) == .failed)
        #expect(try await lockoutFailures() == failures + 1)
    }
}

/// Simultaneous guesses: the lockout and the network's limit count every one, so that sending many at once buys
/// nothing (docs/security.md#races).
@Suite struct SignInRaceTests {
    let store: any Store
    let service: SignInService

    init() async throws {
        store = InMemoryStore()
        service = SignInService(
            store: store, hasher: fastHasher, directory: nil, secret: .generate(using: SystemRandomSource()), clock: ManualClock(t0),
            dummyHash: try await fastHasher.hash("dummy"))
        try await store.insertUser(User(userID: "alice@contoso.com", passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0))
    }

    func concurrently(_ count: Int, _ attempt: @escaping @Sendable (Int) async throws -> SignInService.Outcome) async throws -> [SignInService.Outcome] {
        try await withThrowingTaskGroup(of: SignInService.Outcome.self) { group in
            for index in 0..<count { group.addTask { try await attempt(index) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test(arguments: ["alice@contoso.com", "ghost@contoso.com"])
    func fortySimultaneousGuessesAtOneAccountCheckTen(_ userID: String) async throws {
        let service = service
        let outcomes = try await concurrently(40) { index in
            try await service.signIn(userID: userID, password: "guess \(index)", clientAddress: "198.51.100.\(index)")
        }
        #expect(outcomes.filter { $0 == .failed }.count == 10)
        #expect(outcomes.filter { if case .locked = $0 { true } else { false } }.count == 30)
    }

    @Test func sixtySimultaneousGuessesFromOneNetworkCheckNoMoreThanItsLimitAndItsTurns() async throws {
        let service = service
        let outcomes = try await concurrently(60) { index in
            try await service.signIn(userID: "user\(index)@contoso.com", password: "guess", clientAddress: "203.0.113.1")
        }
        let checked = outcomes.filter { $0 == .failed }.count
        #expect(checked >= 30 && checked <= 30 + 3, "the limit, and at most the three other turns running at once")
        #expect(outcomes.filter { $0 == .tooManyFromNetwork }.count == 60 - checked)
    }
}

/// A hasher that runs `during` once, inside the first check of a password: what another request does meanwhile.
private final class HasherWithInterruption: PasswordHasher {
    let during: Mutex<(@Sendable () async throws -> Void)?>

    init(during: @escaping @Sendable () async throws -> Void) { self.during = Mutex(during) }

    func hash(_ secret: String) async throws -> String { try await fastHasher.hash(secret) }

    func verify(_ secret: String, against hash: String) async -> Bool {
        let matches = await fastHasher.verify(secret, against: hash)
        if let action = during.withLock({ action in defer { action = nil }; return action }) { try? await action() }
        return matches
    }

    func needsRehash(_ hash: String) -> Bool { false }
}

extension SignInServiceTests {
    /// Before, a sign-in wrote back the whole user as it read it before the password check: an administrator's reset
    /// landing during the check lost its new password and its "must change" mark, and the old password signed in
    /// (docs/security.md#races).
    @Test func aResetDuringTheCheckKeepsItsPasswordAndRefusesTheOldOne() async throws {
        let store = InMemoryStore()
        let old = "Zq8#Lw4!Vr2k"
        let replaced = try await fastHasher.hash("Hv5&Rn8*Tc3w")
        let alice = User(userID: "alice@contoso.com", passwordHash: try await fastHasher.hash(old), passwordChangedAt: t0, createdAt: t0)
        try await store.insertUser(alice)
        let hasher = HasherWithInterruption {
            // The administrator's reset, as UserAdministration writes it.
            guard var user = try await store.user(id: alice.id) else { return }
            user.passwordHash = replaced
            user.passwordChangedAt = t0.addingTimeInterval(1)
            user.passwordChangeRequired = true
            try await store.updateUser(user)
        }
        let service = SignInService(
            store: store, hasher: hasher, directory: nil, secret: .generate(using: SystemRandomSource()), clock: clock,
            dummyHash: try await fastHasher.hash("dummy"))
        #expect(try await service.signIn(userID: "alice@contoso.com", password: old, clientAddress: "a", language: .french) == .failed)
        let stored = try #require(try await store.user(id: alice.id))
        #expect(stored.passwordHash == replaced && stored.passwordChangeRequired && stored.locale == nil)
    }
}
