import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// The authenticator app over the in-memory store (docs/behaviour.md#authenticator-app): registering a key with a
/// first code, the reset gate, single use, races between instances, and the 24-hour block.
@Suite struct AuthenticatorServiceTests {
    let clock = ManualClock(t0)
    let store: any Store = InMemoryStore()
    let secret = ServerSecret.generate(using: SystemRandomSource())
    let registrations: RegistrationService
    let resets: ResetService

    init() {
        registrations = RegistrationService(
            store: store, secret: secret, hasher: fastHasher, outbox: RecordingSender(), reportLinks: .testing(store: store, clock: clock, outbox: RecordingSender()), clock: clock, random: SeededRandomSource(seed: 5))
        resets = Self.resetService(store: store, secret: secret, clock: clock)
    }

    static func resetService(store: any Store, secret: ServerSecret, clock: ManualClock) -> ResetService {
        ResetService(store: store, secret: secret, hasher: fastHasher, outbox: RecordingSender(), reportLinks: .testing(store: store, clock: clock, outbox: RecordingSender()), clock: clock, random: SeededRandomSource(seed: 9))
    }

    /// Alice, with the authenticator app as her only method, registered through the service; its key.
    func registeredUser() async throws -> (User, AuthenticatorSecret) {
        _ = try await store.savePolicy(try Policy().setting(.methods, to: "authenticatorApp"), expectedVersion: 0)
        let user = User(userID: "alice@contoso.com", passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0)
        try await store.insertUser(user)
        let enrolment = try await registrations.newAuthenticator(for: user)
        let code = TimeBasedPassword.code(key: enrolment.secret.bytes, step: TimeBasedPassword.step(at: clock.now))
        #expect(try await registrations.confirmAuthenticator(code, for: enrolment, user: user) == .accepted)
        return (try #require(try await store.user(id: user.id)), enrolment.secret)
    }

    func codeNow(_ secret: AuthenticatorSecret, offset: Int64 = 0) -> String {
        TimeBasedPassword.code(key: secret.bytes, step: TimeBasedPassword.step(at: clock.now) + offset)
    }

    /// A flow at the authenticator app's gate.
    func atGate(_ service: ResetService? = nil) async throws -> ResetFlow {
        let service = service ?? resets
        guard case .verify(let flow, _, let options) = try await service.start(userID: "alice@contoso.com", clientAddress: "192.0.2.1") else {
            throw TestFailure("expected verification")
        }
        #expect(options.map(\.option) == [.authenticatorApp])
        guard case .waiting(let waiting) = try await service.choose(.authenticatorApp, in: flow, language: .english, clientAddress: "192.0.2.1"),
            waiting.challenge == .authenticatorCode
        else { throw TestFailure("expected the code's page") }
        return waiting
    }

    @Test func registeringSavesTheKeySealedWithAnActivityRow() async throws {
        let (user, key) = try await registeredUser()
        let sealed = try #require(user.authentication.sealedAuthenticatorSecret)
        #expect(!sealed.contains(Data(key.bytes)))
        #expect(AuthenticatorKeys(secret: secret).open(sealed, for: user.id, in: .record) == key)
        #expect(AuthenticatorKeys(secret: .generate(using: SystemRandomSource())).open(sealed, for: user.id, in: .record) == nil, "another server secret")
        #expect(try await store.registrationActivities(ActivityQuery()).map(\.dataRegistered) == [.authenticatorApp])
    }

    @Test func aWrongOrMalformedCodeAtRegistrationSavesNothing() async throws {
        let user = User(userID: "bob@contoso.com", createdAt: t0)
        try await store.insertUser(user)
        let enrolment = try await registrations.newAuthenticator(for: user)
        let right = TimeBasedPassword.code(key: enrolment.secret.bytes, step: TimeBasedPassword.step(at: clock.now))
        #expect(try await registrations.confirmAuthenticator(right == "000000" ? "000001" : "000000", for: enrolment, user: user) == .wrong)
        #expect(try await registrations.confirmAuthenticator("12345", for: enrolment, user: user) == .malformed)
        #expect(try await store.user(id: user.id)?.authentication.sealedAuthenticatorSecret == nil)
        let reopened = try #require(try await registrations.pendingAuthenticator(enrolment.sealedForSession, for: user))
        #expect(reopened.secret == enrolment.secret && reopened.uri.hasPrefix("otpauth://totp/Sesame:bob%40contoso.com?secret="))
        #expect(try await registrations.pendingAuthenticator(enrolment.sealedForSession, for: User(userID: "eve@contoso.com", createdAt: t0)) == nil)
    }

    @Test func theNextCodePassesTheGateAndCannotPassItAgain() async throws {
        let (_, secret) = try await registeredUser()
        #expect(try await resets.verifyCode(codeNow(secret), in: try await atGate()).isAuthenticatorRefused, "the registration's own code")
        clock.advance(by: 30)
        guard case .passed = try await resets.verifyCode(codeNow(secret), in: try await atGate()) else { throw TestFailure("the next code refused") }
        #expect(try await resets.verifyCode(codeNow(secret), in: try await atGate()).isAuthenticatorRefused, "replayed")
        #expect(try await resets.verifyCode(codeNow(secret, offset: -1), in: try await atGate()).isAuthenticatorRefused, "an earlier step")
    }

    @Test func aCodeOneStepAheadOrBehindPassesAndTwoDoNot() async throws {
        let (_, secret) = try await registeredUser()
        clock.advance(by: 300)
        #expect(try await resets.verifyCode(codeNow(secret, offset: -2), in: try await atGate()).isAuthenticatorRefused)
        guard case .passed = try await resets.verifyCode(codeNow(secret, offset: -1), in: try await atGate()) else { throw TestFailure("-1 refused") }
        #expect(try await resets.verifyCode(codeNow(secret, offset: 2), in: try await atGate()).isAuthenticatorRefused)
        guard case .passed = try await resets.verifyCode(codeNow(secret, offset: 1), in: try await atGate()) else { throw TestFailure("+1 refused") }
    }

    /// Two instances (each with its own per-user turns) take one code at once: the store's compare-and-set lets one.
    @Test func twoInstancesVerifyingOneCodeAtOncePassOnce() async throws {
        let (_, key) = try await registeredUser()
        clock.advance(by: 60)
        let other = Self.resetService(store: store, secret: secret, clock: clock)
        let flows = [try await atGate(), try await atGate(other)]
        let code = codeNow(key)
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for (service, flow) in zip([resets, other], flows) {
                group.addTask { if case .passed = try await service.verifyCode(code, in: flow) { true } else { false } }
            }
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1)
    }

    /// Wrong codes count failed identity proofs as wrong sent codes do; the fifth blocks the user for 24 hours, and a
    /// right code proves nothing after it. Malformed input counts nothing.
    @Test func fiveWrongCodesBlockForADay() async throws {
        let (user, secret) = try await registeredUser()
        clock.advance(by: 30)
        let flow = try await atGate()
        let wrong = codeNow(secret) == "000000" ? "000001" : "000000"
        #expect(try await resets.verifyCode("12 34", in: flow).isWrongWithoutCount)
        for _ in 1...4 { #expect(try await resets.verifyCode(wrong, in: flow).isAuthenticatorRefused) }
        #expect(try await resets.verifyCode(wrong, in: flow) == .blocked)
        #expect(try await resets.verifyCode(codeNow(secret), in: flow) == .blocked)
        #expect(try await store.resetActivities(ActivityQuery()).first?.detail == .blockedInvalidCodes(.authenticatorApp))
        let here = ThrottleKey(.addressIdentityProof, ThrottleKey.subject(user: user.id, client: "192.0.2.1"))
        #expect(try await store.throttleState(here)?.blockedUntil == clock.now.addingTimeInterval(86_400))
        #expect(try await resets.start(userID: "alice@contoso.com", clientAddress: "192.0.2.1") == .blocked)
    }

    /// oathtool, an outside TOTP client, computes a code from the Base32 key the page shows: the gate accepts it.
    @Test func aCodeFromOathtoolPasses() async throws {
        let (_, secret) = try await registeredUser()
        clock.advance(by: 30)
        let output = Pipe()
        let oathtool = try ChildProcess.start(
            "/usr/bin/oathtool", ["--totp", "-b", "--now", "@\(Int(clock.now.timeIntervalSince1970))", secret.base32],
            output: .descriptor(output.fileHandleForWriting.fileDescriptor))
        try output.fileHandleForWriting.close()
        _ = oathtool.wait()
        let code = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(code == codeNow(secret))
        guard case .passed = try await resets.verifyCode(code, in: try await atGate()) else { throw TestFailure("oathtool's code refused") }
    }

    @Test func anAdministratorRemovesTheAppAndTheAuditSaysSo() async throws {
        let (user, _) = try await registeredUser()
        let administration = UserAdministration(store: store, hasher: fastHasher, clock: clock, outbox: RecordingSender(), reportLinks: .testing(store: store, clock: clock, outbox: RecordingSender()), directory: nil)
        try await administration.removeAuthenticator(userID: user.userID, actor: "admin@contoso.com")
        #expect(try await store.user(id: user.id)?.authentication.sealedAuthenticatorSecret == nil)
        let event = try #require(try await store.auditEvents(ActivityQuery()).first)
        #expect(event.activity == .userUpdated && event.detail == "authenticator app removed" && event.actor == "admin@contoso.com")
        #expect(try await resets.start(userID: "alice@contoso.com", clientAddress: "192.0.2.1") == .cannotVerify)
    }
}

extension GateStep {
    var isAuthenticatorRefused: Bool { if case .authenticatorRefused = self { true } else { false } }
    var isWrongWithoutCount: Bool { if case .wrong(_, nil, _) = self { true } else { false } }
}
