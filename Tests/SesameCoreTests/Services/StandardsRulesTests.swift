import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// The standards' rules for codes and methods (NIST SP 800-63B-4, OWASP ASVS 5.0): a new code never brings fresh
/// guesses, codes live at most 10 minutes by email and 5 by phone, and `requireNonPhoneMethod`
/// (docs/behaviour.md#policy-keys).
@Suite struct StandardsRulesTests {
    let clock = ManualClock(t0)
    let store: any Store = InMemoryStore()
    let sender = RecordingSender()

    func addUser(email: String? = "alice@example.org", mobile: String? = nil) async throws -> User {
        var user = User(userID: "alice@contoso.com", passwordHash: try await fastHasher.hash("Zq8#Lw4!Vr2k"), createdAt: t0)
        user.authentication.alternateEmail = try email.map(EmailAddress.init)
        user.authentication.mobilePhone = try mobile.map(PhoneNumber.init(international:))
        try await store.insertUser(user)
        return user
    }

    // MARK: A new code never resets the failure count

    @Test func askingForAnotherResetCodeBringsNoFreshProofs() async throws {
        _ = try await addUser()
        let resets = ResetService(
            store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender,
            reportLinks: .testing(store: store, clock: clock, outbox: sender), clock: clock, random: SystemRandomSource())
        var wrongs = 0
        // Three wrong tries on a first code, then on new codes: the fifth wrong code in all blocks, whichever code.
        for round in 1...2 {
            guard case .verify(let started, _, _) = try await resets.start(userID: "alice@contoso.com", clientAddress: "192.0.2.1"),
                  case .waiting(let flow) = try await resets.choose(.email, in: started, language: .english, clientAddress: "192.0.2.1")
            else { throw TestFailure("no code in round \(round)") }
            let wrong = sender.lastCode == "000000" ? "111111" : "000000"
            for _ in 1...3 where wrongs < 5 {
                let step = try await resets.verifyCode(wrong, in: flow)
                wrongs += 1
                if wrongs == 5 { #expect(step == .blocked, "the fifth wrong code blocks, though it was for a new code") } else { #expect(step != .blocked) }
            }
        }
        #expect(wrongs == 5)
        #expect(try await resets.start(userID: "alice@contoso.com", clientAddress: "192.0.2.1") == .blocked)
    }

    @Test func askingForAnotherRegistrationCodeBringsNoFreshGuesses() async throws {
        let user = try await addUser(email: nil)
        let registrations = RegistrationService(
            store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender,
            reportLinks: .testing(store: store, clock: clock, outbox: sender), clock: clock, random: SystemRandomSource())
        var pending: PendingRegistrationCode?
        // 10 wrong codes over four codes, each with its 3 tries: the count is the user's, not the code's.
        for attempt in 0..<10 {
            if attempt % 3 == 0 {
                guard case .sent(let sent) = try await registrations.sendCode(toAddress: "alice@example.org", for: user, language: .english, client: "192.0.2.1")
                else { throw TestFailure("no code") }
                pending = sent
            }
            let wrong = sender.lastCode == "000000" ? "111111" : "000000"
            _ = try await registrations.confirmCode(wrong, for: try #require(pending), user: user, language: .english)
        }
        guard case .sent(let fresh) = try await registrations.sendCode(toAddress: "alice@example.org", for: user, language: .english, client: "192.0.2.1")
        else { throw TestFailure("no code") }
        #expect(try await registrations.confirmCode(sender.lastCode!, for: fresh, user: user, language: .english) == .notAccepted(.exhausted),
                "once 10 wrong codes are spent, even the right one is not checked")
        #expect(try await store.user(id: user.id)?.authentication.authenticationEmail == nil)
        clock.advance(by: 24 * 3_600 + 1)
        guard case .sent(let later) = try await registrations.sendCode(toAddress: "alice@example.org", for: user, language: .english, client: "192.0.2.2")
        else { throw TestFailure("no code") }
        #expect(try await registrations.confirmCode(sender.lastCode!, for: later, user: user, language: .english) == .saved)
    }

    // MARK: Code lifetimes

    @Test func codeLifetimesAreCutToTheirChannelsMaximum() async throws {
        let user = try await addUser()
        var rules = CodeRules()
        rules.lifetime = 3_600
        #expect(rules.lifetime(for: .email) == 600 && rules.lifetime(for: .sms) == 300 && rules.lifetime(for: .voice) == 300)
        #expect(CodeRules.default.lifetime(for: .email) == 300, "shorter lifetimes are kept")
        let codes = CodeService(store: store, secret: .generate(using: SystemRandomSource()), clock: clock, random: SystemRandomSource(), rules: rules)
        let (_, email) = try await codes.issue(for: user.id, purpose: .reset, channel: .email, destination: "alice@example.org")
        let (smsCode, sms) = try await codes.issue(for: user.id, purpose: .reset, channel: .sms, destination: "+33612345678")
        #expect(email.expiresAt == t0.addingTimeInterval(600) && sms.expiresAt == t0.addingTimeInterval(300))
        clock.advance(by: 301)
        #expect(try await codes.verify(smsCode.digits, challengeID: sms.id) == .expired, "a phone code is dead after 5 minutes")
    }

    // MARK: requireNonPhoneMethod

    @Test func theKnobParsesAndNeedsAMethodThatIsNotRestricted() throws {
        #expect(Policy().requireNonPhoneMethod == false)
        #expect(try Policy().setting(.requireNonPhoneMethod, to: "true").requireNonPhoneMethod)
        #expect(PolicyKey.requireNonPhoneMethod.value(in: try Policy().setting(.requireNonPhoneMethod, to: "true")) == "true")
        #expect(throws: PolicyError.self) { try Policy().setting(.requireNonPhoneMethod, to: "yes") }
        let phonesOnly = try Policy().setting(.methods, to: "mobilePhone,securityQuestions")
        #expect(throws: PolicyError.self) { try phonesOnly.setting(.requireNonPhoneMethod, to: "true") }
        #expect(AuthenticationMethod.allCases.filter { !$0.isRestricted } == [.email, .authenticatorApp, .recoveryCodes, .passkey], "the methods added since count as non-phone")
        // A policy saved before the knob existed still reads, with the knob off.
        let old = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Policy())) as? [String: Any]
        let stripped = try JSONSerialization.data(withJSONObject: (old ?? [:]).filter { $0.key != "storedRequireNonPhoneMethod" })
        #expect(try JSONDecoder().decode(Policy.self, from: stripped).requireNonPhoneMethod == false)
    }

    @Test func withTheKnobAPhoneAloneDoesNotCompleteTheRegistration() async throws {
        var someone = User(userID: "alice@contoso.com", createdAt: t0)
        someone.authentication.authenticationPhone = try PhoneNumber(international: "+33 6 12 34 56 78")
        someone.registration.confirm(at: t0)
        let policy = try Policy().setting(.requireNonPhoneMethod, to: "true")
        #expect(Policy().registrationInterrupt(for: someone, now: t0) == nil)
        #expect(policy.registrationInterrupt(for: someone, now: t0) == .register, "sign-in keeps asking")
        #expect(!policy.effective(for: someone).isSatisfied(by: someone.authentication))
        someone.authentication.authenticationEmail = try EmailAddress("alice@example.org")
        #expect(policy.registrationInterrupt(for: someone, now: t0) == nil)

        var phoneOnly = try await addUser(email: nil, mobile: "+33 6 12 34 56 78")
        _ = try await store.savePolicy(policy, expectedVersion: 0)
        let registrations = RegistrationService(
            store: store, secret: .generate(using: SystemRandomSource()), hasher: fastHasher, outbox: sender,
            reportLinks: .testing(store: store, clock: clock, outbox: sender), clock: clock, random: SystemRandomSource())
        #expect(try await registrations.confirm(for: phoneOnly, requestID: nil) == .needsMore(methods: 1), "Finish is refused")
        phoneOnly.authentication.alternateEmail = try EmailAddress("alice@example.org")
        #expect(try await registrations.confirm(for: phoneOnly, requestID: nil) == .confirmed)
    }
}
