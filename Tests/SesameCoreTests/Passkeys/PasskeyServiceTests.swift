import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// Passkeys over the in-memory store (docs/behaviour.md#passkeys, docs/security.md#passkeys): what the service adds
/// to the relying party's checks — challenges made here, for this ceremony and subject, answered once within 5
/// minutes; the passkey's owner; the counter kept by compare-and-set — and the reset gate and sign-in built on it.
@Suite struct PasskeyServiceTests {
    static let origin = "https://sspr.contoso.com"
    let clock = ManualClock(t0)
    let store = InMemoryStore()
    let sender = RecordingSender()
    let resets: ResetService
    let reportLinks: ReportLinks
    var passkeys: PasskeyService { resets.passkeys }

    init() {
        reportLinks = .testing(store: store, clock: clock, outbox: sender)
        resets = ResetService(
            store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender, reportLinks: reportLinks,
            clock: clock, random: SystemRandomSource(), relyingParty: PasskeyRelyingParty(publicURL: Self.origin))
    }

    /// A user with an alternate email, under a policy offering `methods`.
    func user(_ userID: String = "alice@contoso.com", methods: String = "email,passkey", required: Int = 1) async throws -> User {
        if try await store.policy() == nil {
            _ = try await store.savePolicy(try Policy().setting(.methods, to: methods).setting(.methodsRequired, to: String(required)), expectedVersion: 0)
        }
        var user = User(userID: userID, passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0)
        user.authentication.alternateEmail = try EmailAddress("\(userID.prefix { $0 != "@" })@example.org")
        try await store.insertUser(user)
        return user
    }

    static func authenticator(_ user: User) -> SoftwareAuthenticator {
        SoftwareAuthenticator.es256(credentialID: SystemRandomSource().bytes(32)).owned(by: user.id)
    }

    /// `authenticator` registered as one of `user`'s passkeys.
    @discardableResult
    func register(_ authenticator: SoftwareAuthenticator, for user: User, name: String = "Laptop") async throws -> Passkey {
        let options = try #require(try await passkeys.creationOptions(for: user))
        guard case .registered(let passkey) = try await passkeys.register(
            authenticator.register(options, origin: Self.origin), name: name, for: user, requestID: nil)
        else { throw TestFailure("the registration was refused") }
        return passkey
    }

    func signInOptions() async throws -> PasskeyRequestOptions {
        try #require(try await passkeys.requestOptions(for: .signIn, subject: "", user: nil))
    }

    // MARK: Registration

    @Test func aRegisteredPasskeyIsKeptToldAndAudited() async throws {
        let alice = try await user()
        let options = try #require(try await passkeys.creationOptions(for: alice))
        #expect(options.rp.id == "sspr.contoso.com")
        #expect(options.authenticatorSelection.userVerification == "required" && options.attestation == "none")
        let passkey = try await register(Self.authenticator(alice), for: alice, name: "  Work laptop  ")
        #expect(passkey.name == "Work laptop")
        #expect(try await store.passkeys(userID: alice.id) == [passkey])
        #expect(try await store.user(id: alice.id)?.authentication.passkeyCount == 1)
        #expect(sender.messages.contains { $0.text.contains("passkey") && $0.text.contains("/wasnt-me/") }, "the user is told, with the link")
        #expect(try await store.auditEvents(ActivityQuery()).contains { $0.activity == .passkeyRegistered && $0.detail == "Work laptop" })
        #expect(try await store.registrationActivities(ActivityQuery()).contains { $0.dataRegistered == .passkey })
        let again = try #require(try await passkeys.creationOptions(for: alice))
        #expect(again.excludeCredentials.map(\.id) == [passkey.credentialID.base64URL], "the browser is told not to register it twice")
    }

    @Test func thisWasntMeRemovesThePasskeysAddedSinceTheEventBeganAndNoOlderOne() async throws {
        let alice = try await user()
        var mine = Self.authenticator(alice)
        let kept = try await register(mine, for: alice, name: "Mine")
        clock.advance(by: 3_600)
        try await register(Self.authenticator(alice), for: alice, name: "Planted first")
        clock.advance(by: 60)
        try await register(Self.authenticator(alice), for: alice, name: "Planted")
        let notice = try #require(sender.messages.last { $0.text.contains("passkey") })
        let token = try #require(notice.text.firstMatch(of: /\/wasnt-me\/([A-Za-z0-9_-]{43})/)).output.1
        #expect(try await reportLinks.report(String(token), requestID: nil))
        #expect(try await store.passkeys(userID: alice.id) == [kept], "both planted passkeys are gone; the older one stays")
        let removed = try await store.auditEvents(ActivityQuery()).filter { $0.activity == .passkeyRemoved }.map(\.detail)
        #expect(Set(removed) == ["Planted first", "Planted"])
        // For the block's 24 hours, the older passkey neither signs in nor is joined by a new one.
        #expect(try await signIns().signIn(
            passkey: try mine.assert(try await signInOptions(), origin: Self.origin), browser: "", clientAddress: "192.0.2.1", requestID: nil).outcome
            == .failed)
        #expect(try await passkeys.register(
            Self.authenticator(alice).register(try #require(try await passkeys.creationOptions(for: alice)), origin: Self.origin), name: "Again",
            for: alice, requestID: nil) == .refused(.notAccepted(.wrongChallenge)))
        clock.advance(by: 86_400)
        #expect(try await signIns().signIn(
            passkey: try mine.assert(try await signInOptions(), origin: Self.origin), browser: "", clientAddress: "192.0.2.1", requestID: nil).outcome
            != .failed, "the block over, it signs in again")
    }

    @Test func aRegistrationChallengeServesOnceForItsUserWithinFiveMinutes() async throws {
        let alice = try await user()
        let bob = try await user("bob@contoso.com")
        let authenticator = Self.authenticator(alice)
        let options = try #require(try await passkeys.creationOptions(for: alice))
        let attestation = authenticator.register(options, origin: Self.origin)
        #expect(try await passkeys.register(attestation, name: "Key", for: bob, requestID: nil) == .refused(.notAccepted(.wrongChallenge)),
                "another user's challenge")
        guard case .registered = try await passkeys.register(attestation, name: "Key", for: alice, requestID: nil) else { throw TestFailure("refused") }
        #expect(try await passkeys.register(attestation, name: "Key", for: alice, requestID: nil) == .refused(.notAccepted(.wrongChallenge)), "replayed")
        let late = authenticator.register(try #require(try await passkeys.creationOptions(for: alice)), origin: Self.origin)
        clock.advance(by: PasskeyChallenge.lifetime)
        #expect(try await passkeys.register(late, name: "Key", for: alice, requestID: nil) == .refused(.notAccepted(.wrongChallenge)), "expired")
    }

    @Test func namesDuplicatesAndTheMaximumAreRefused() async throws {
        let alice = try await user()
        let authenticator = Self.authenticator(alice)
        let attestation = authenticator.register(try #require(try await passkeys.creationOptions(for: alice)), origin: Self.origin)
        #expect(try await passkeys.register(attestation, name: "   ", for: alice, requestID: nil) == .refused(.name))
        #expect(try await passkeys.register(attestation, name: String(repeating: "x", count: 65), for: alice, requestID: nil) == .refused(.name))
        try await register(authenticator, for: alice)
        #expect(try await passkeys.register(
            authenticator.register(try #require(try await passkeys.creationOptions(for: alice)), origin: Self.origin), name: "Again", for: alice,
            requestID: nil) == .refused(.alreadyRegistered))
        for index in 2...Passkey.maximumPerUser { try await register(Self.authenticator(alice), for: alice, name: "Key \(index)") }
        #expect(try await passkeys.register(
            Self.authenticator(alice).register(try #require(try await passkeys.creationOptions(for: alice)), origin: Self.origin), name: "Eleventh",
            for: alice, requestID: nil) == .refused(.tooMany))
    }

    @Test func aRegistrationWithoutUserVerificationIsRefused() async throws {
        let alice = try await user()
        let attestation = Self.authenticator(alice).register(try #require(try await passkeys.creationOptions(for: alice)), origin: Self.origin, flags: 0x01)
        #expect(try await passkeys.register(attestation, name: "Key", for: alice, requestID: nil) == .refused(.notAccepted(.userNotVerified)))
    }

    // MARK: Assertions

    @Test func anAssertionIsAcceptedOnceAndItsCounterKept() async throws {
        let alice = try await user()
        var authenticator = Self.authenticator(alice)
        let passkey = try await register(authenticator, for: alice)
        let assertion = try authenticator.assert(try await signInOptions(), origin: Self.origin)
        clock.advance(by: 60)
        guard case .accepted(let used) = try await passkeys.authenticate(assertion, for: .signIn, subject: "", user: nil, requestID: nil) else {
            throw TestFailure("refused")
        }
        #expect(used.id == passkey.id && used.signCount == 1 && used.lastUsedAt == t0.addingTimeInterval(60))
        #expect(try await store.passkey(credentialID: passkey.credentialID)?.signCount == 1)
        #expect(try await passkeys.authenticate(assertion, for: .signIn, subject: "", user: nil, requestID: nil) == .refused(.notAccepted(.wrongChallenge)),
                "replayed")
    }

    @Test func aChallengeAnswersOnlyItsCeremonyAndSubject() async throws {
        let alice = try await user()
        var authenticator = Self.authenticator(alice)
        try await register(authenticator, for: alice)
        let gate = try #require(try await passkeys.requestOptions(for: .gate, subject: "flow-1", user: alice))
        #expect(try await passkeys.authenticate(
            try authenticator.assert(gate, origin: Self.origin), for: .signIn, subject: "", user: nil, requestID: nil) == .refused(.notAccepted(.wrongChallenge)))
        let other = try #require(try await passkeys.requestOptions(for: .gate, subject: "flow-1", user: alice))
        #expect(try await passkeys.authenticate(
            try authenticator.assert(other, origin: Self.origin), for: .gate, subject: "flow-2", user: alice.id, requestID: nil)
            == .refused(.notAccepted(.wrongChallenge)))
    }

    @Test func aSignInWithoutTheUserHandleIsRefused() async throws {
        let alice = try await user()
        var authenticator = Self.authenticator(alice)
        try await register(authenticator, for: alice)
        authenticator.userHandle = nil
        #expect(try await passkeys.authenticate(
            try authenticator.assert(try await signInOptions(), origin: Self.origin), for: .signIn, subject: "", user: nil, requestID: nil)
            == .refused(.unknownPasskey), "nobody was named, so the authenticator must say whose it is")
    }

    @Test func anotherUsersPasskeyOrUserHandleIsRefused() async throws {
        let alice = try await user()
        let bob = try await user("bob@contoso.com")
        var bobs = Self.authenticator(bob)
        try await register(bobs, for: bob)
        let gate = try #require(try await passkeys.requestOptions(for: .gate, subject: "flow", user: alice))
        #expect(try await passkeys.authenticate(try bobs.assert(gate, origin: Self.origin), for: .gate, subject: "flow", user: alice.id, requestID: nil)
                == .refused(.unknownPasskey))
        let handle = withUnsafeBytes(of: alice.id.uuid) { Array($0) }
        #expect(try await passkeys.authenticate(
            try bobs.assert(try await signInOptions(), origin: Self.origin, userHandle: handle), for: .signIn, subject: "", user: nil, requestID: nil)
            == .refused(.unknownPasskey), "bob's passkey claiming alice's handle")
    }

    @Test func aCounterThatGoesBackIsRefusedAndAudited() async throws {
        let alice = try await user()
        var authenticator = Self.authenticator(alice)
        try await register(authenticator, for: alice)
        var copy = authenticator
        guard case .accepted = try await passkeys.authenticate(
            try authenticator.assert(try await signInOptions(), origin: Self.origin), for: .signIn, subject: "", user: nil, requestID: nil)
        else { throw TestFailure("refused") }
        #expect(try await passkeys.authenticate(
            try copy.assert(try await signInOptions(), origin: Self.origin), for: .signIn, subject: "", user: nil, requestID: "support-1")
            == .refused(.notAccepted(.counterWentBack)), "a copy of the key whose counter lags")
        let audit = try await store.auditEvents(ActivityQuery()).filter { $0.activity == .passkeyCounterWentBack }
        #expect(audit.count == 1 && audit.first?.target == "alice@contoso.com" && audit.first?.status == .failure && audit.first?.requestID == "support-1")
    }

    @Test func twoAssertionsWithOneCounterValueCannotBothPass() async throws {
        let alice = try await user()
        var authenticator = Self.authenticator(alice)
        try await register(authenticator, for: alice)
        var copy = authenticator
        let first = try authenticator.assert(try await signInOptions(), origin: Self.origin)
        let second = try copy.assert(try await signInOptions(), origin: Self.origin)
        let passkeys = passkeys
        let accepted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for assertion in [first, second] {
                group.addTask {
                    if case .accepted = try await passkeys.authenticate(assertion, for: .signIn, subject: "", user: nil, requestID: nil) { return true }
                    return false
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(accepted == 1)
    }

    @Test func aUserRemovesOnlyTheirOwnPasskey() async throws {
        let alice = try await user()
        let bob = try await user("bob@contoso.com")
        let passkey = try await register(Self.authenticator(alice), for: alice)
        #expect(try await passkeys.remove(passkey.id, of: bob, by: bob.userID, keepingSession: nil, requestID: nil) == false)
        #expect(try await passkeys.remove(passkey.id, of: alice, by: "admin@contoso.com", keepingSession: nil, requestID: nil))
        #expect(try await store.passkeys(userID: alice.id).isEmpty)
        #expect(try await store.auditEvents(ActivityQuery()).contains { $0.activity == .passkeyRemoved && $0.actor == "admin@contoso.com" && $0.detail == "Laptop" })
        #expect(try await passkeys.remove(passkey.id, of: alice, by: alice.userID, keepingSession: nil, requestID: nil) == false, "gone already")
    }

    @Test func withoutARelyingPartyNothingIsOffered() async throws {
        let service = ResetService(
            store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender,
            reportLinks: .testing(store: store, clock: clock, outbox: sender), clock: clock, random: SystemRandomSource())
        let alice = try await user()
        #expect(try await service.passkeys.creationOptions(for: alice) == nil)
        #expect(try await service.passkeys.requestOptions(for: .signIn, subject: "", user: nil) == nil)
        #expect(PasskeyRelyingParty(publicURL: "file:///tmp") == nil)
    }

    // MARK: The reset gate

    /// A flow of alice's at the passkey gate.
    func atGate(_ user: User) async throws -> ResetFlow {
        guard case .verify(let flow, _, let options) = try await resets.start(userID: user.userID, clientAddress: "192.0.2.1") else {
            throw TestFailure("expected verification")
        }
        #expect(options.map(\.option).contains(.passkey))
        guard case .waiting(let waiting) = try await resets.choose(.passkey, in: flow, language: .english, clientAddress: "192.0.2.1"),
            waiting.challenge == .passkey
        else { throw TestFailure("the passkey option was refused") }
        return waiting
    }

    @Test func aPasskeyPassesOneGateAndTheSecondNeedsAnotherMethod() async throws {
        let alice = try await user(required: 2)
        var authenticator = Self.authenticator(alice)
        try await register(authenticator, for: alice)
        let flow = try await atGate(alice)
        let options = try #require(try await resets.passkeyOptions(for: flow))
        #expect(options.allowCredentials.isEmpty && options.userVerification == "required", "the browser offers its own")
        guard case .passed(let passed, let left) = try await resets.usePasskey(try authenticator.assert(options, origin: Self.origin), in: flow, requestID: nil)
        else { throw TestFailure("refused") }
        #expect(passed.passed == [.passkey])
        #expect(left.map(\.option) == [.email])
    }

    /// The fixed administrator policy takes a passkey as one of its two gates.
    @Test func anAdministratorResetsWithAPasskeyAndAnotherMethod() async throws {
        _ = try await user()
        var boss = User(userID: "boss@contoso.com", roles: [.globalAdmin], passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0)
        boss.authentication.alternateEmail = try EmailAddress("boss@example.org")
        try await store.insertUser(boss)
        var authenticator = Self.authenticator(boss)
        try await register(authenticator, for: boss)
        guard case .verify(let flow, let gates, let options) = try await resets.start(userID: boss.userID, clientAddress: "192.0.2.1") else {
            throw TestFailure("expected verification")
        }
        #expect(gates == 2 && Set(options.map(\.option)) == [.email, .passkey])
        guard case .waiting(let chosen) = try await resets.choose(.passkey, in: flow, language: .english, clientAddress: "192.0.2.1") else {
            throw TestFailure("the passkey option was refused")
        }
        let assertion = try authenticator.assert(try #require(try await resets.passkeyOptions(for: chosen)), origin: Self.origin)
        guard case .passed(let first, let left) = try await resets.usePasskey(assertion, in: chosen, requestID: nil) else { throw TestFailure("refused") }
        #expect(left.map(\.option) == [.email], "the second gate needs another method")
        guard case .waiting(let emailed) = try await resets.choose(.email, in: first, language: .english, clientAddress: "192.0.2.1") else {
            throw TestFailure("the email option was refused")
        }
        guard case .passed(let done, let none) = try await resets.verifyCode(try #require(sender.lastCode), in: emailed) else {
            throw TestFailure("the email code was refused")
        }
        #expect(none.isEmpty && done.passed == [.passkey, .email])
    }

    @Test func refusedSignaturesCountTowardTheBlockAndForeignChallengesDoNot() async throws {
        let alice = try await user()
        var authenticator = Self.authenticator(alice)
        try await register(authenticator, for: alice)
        var flow = try await atGate(alice)
        // Not the flow's challenge: nothing reached the key, nothing is counted.
        for _ in 0..<6 {
            let foreign = try #require(try await passkeys.requestOptions(for: .gate, subject: "another flow", user: alice))
            guard case .passkeyRefused(_, .notAccepted(.wrongChallenge), _) = try await resets.usePasskey(
                try authenticator.assert(foreign, origin: Self.origin), in: flow, requestID: nil)
            else {
                throw TestFailure("expected a refusal")
            }
        }
        // Signed without user verification: the key was used, and refused; the fifth blocks.
        for attempt in 1...5 {
            let options = try #require(try await resets.passkeyOptions(for: flow))
            let step = try await resets.usePasskey(try authenticator.assert(options, origin: Self.origin, flags: 0x01), in: flow, requestID: nil)
            if attempt < 5 {
                guard case .passkeyRefused(let next, .notAccepted(.userNotVerified), _) = step else { throw TestFailure("attempt \(attempt): \(step)") }
                flow = next
            } else {
                #expect(step == .blocked)
            }
        }
    }

    // MARK: Sign-in

    func signIns() -> SignInService {
        SignInService(store: store, hasher: fastHasher, directory: nil, secret: .generate(using: SystemRandomSource()), clock: clock, dummyHash: "",
                      passkeys: passkeys)
    }

    @Test func aPasskeySignsInItsOwnerAndNotADisabledOne() async throws {
        var alice = try await user()
        var authenticator = Self.authenticator(alice)
        try await register(authenticator, for: alice)
        let signIns = signIns()
        let (outcome, _) = try await signIns.signIn(
            passkey: try authenticator.assert(try await signInOptions(), origin: Self.origin), browser: "", clientAddress: "192.0.2.1", requestID: nil)
        guard case .accepted(let user) = outcome else { throw TestFailure("refused: \(outcome)") }
        #expect(user.id == alice.id)
        alice = try #require(try await store.user(id: alice.id))
        alice.enabled = false
        try await store.updateUser(alice)
        #expect(try await signIns.signIn(
            passkey: try authenticator.assert(try await signInOptions(), origin: Self.origin), browser: "", clientAddress: "192.0.2.1", requestID: nil).outcome == .failed)
    }

    @Test func anAccountNotEligibleForSelfServiceSignsInWithNoPasskey() async throws {
        let alice = try await user()
        var authenticator = Self.authenticator(alice)
        try await register(authenticator, for: alice)
        let current = try #require(try await store.policy())
        _ = try await store.savePolicy(try current.policy.setting(.enabled, to: "none"), expectedVersion: current.version)
        #expect(try await signIns().signIn(
            passkey: try authenticator.assert(try await signInOptions(), origin: Self.origin), browser: "", clientAddress: "192.0.2.1", requestID: nil).outcome
            == .failed)
    }

    @Test func aPolicyWithoutPasskeysSignsNobodyInWithOne() async throws {
        let alice = try await user()
        var authenticator = Self.authenticator(alice)
        try await register(authenticator, for: alice)
        let current = try #require(try await store.policy())
        _ = try await store.savePolicy(try current.policy.setting(.methods, to: "email"), expectedVersion: current.version)
        let (outcome, _) = try await signIns().signIn(
            passkey: try authenticator.assert(try await signInOptions(), origin: Self.origin), browser: "", clientAddress: "192.0.2.1", requestID: nil)
        #expect(outcome == .failed)
    }

    // MARK: Step-up after a passkey sign-in

    @Test func aPasskeySessionStepsUpWithAnotherMethodOrThePassword() async throws {
        let alice = try await user()
        try await register(Self.authenticator(alice), for: alice)
        var withoutEmail = try #require(try await store.user(id: alice.id))
        withoutEmail.authentication.alternateEmail = nil
        try await store.updateUser(withoutEmail)
        let only = try #require(try await store.user(id: alice.id))
        #expect(try await resets.stepUp(for: only, proof: nil, clientAddress: "a", passkeySignIn: true) == .passwordNeeded)
        guard case .verify(let byPassword) = try await resets.stepUp(for: only, proof: nil, clientAddress: "a") else { throw TestFailure("expected a gate") }
        #expect(try await resets.gateView(of: byPassword).options.map(\.option) == [.passkey], "after the password, the passkey is the second proof")
        var withEmail = only
        withEmail.authentication.alternateEmail = try EmailAddress("alice@example.org")
        try await store.updateUser(withEmail)
        let both = try #require(try await store.user(id: alice.id))
        guard case .verify(let flow) = try await resets.stepUp(for: both, proof: nil, clientAddress: "a", passkeySignIn: true) else {
            throw TestFailure("expected a gate")
        }
        #expect(try await resets.gateView(of: flow).options.map(\.option) == [.email], "not the passkey the session was opened with")
        guard case .waiting = try await resets.choose(.passkey, in: flow, language: .english, clientAddress: "a") else { throw TestFailure("?") }
        #expect(try await resets.choose(.passkey, in: flow, language: .english, clientAddress: "a") == .waiting(flow), "choosing it anyway does nothing")
        let options = try #require(try await resets.passkeyOptions(for: try await atGate(both)))
        #expect(options.allowCredentials.isEmpty, "a reset's page names no credential")
    }

    @Test func refusedPasskeySignInsCountAgainstTheNetwork() async throws {
        let alice = try await user()
        var authenticator = Self.authenticator(alice)
        try await register(authenticator, for: alice)
        let signIns = signIns()
        var outcomes: [SignInService.Outcome] = []
        for _ in 0..<35 {
            let options = try await signInOptions()
            let (outcome, refusal) = try await signIns.signIn(
                passkey: try authenticator.assert(options, origin: "https://evil.example"), browser: "", clientAddress: "198.51.100.7", requestID: nil)
            outcomes.append(outcome)
            if outcome == .failed { #expect(refusal == .notAccepted(.wrongOrigin), "the log is told why") }
        }
        #expect(outcomes.prefix(29).allSatisfy { $0 == .failed })
        #expect(outcomes.suffix(5).allSatisfy { $0 == .tooManyFromNetwork }, "the network's sign-in throttle stops it")
        #expect(try await signIns.signIn(
            passkey: try authenticator.assert(try await signInOptions(), origin: Self.origin), browser: "", clientAddress: "198.51.100.7", requestID: nil).outcome
            == .tooManyFromNetwork)
    }
}
