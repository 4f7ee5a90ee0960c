import Foundation

/// The registration portal's logic (docs/behaviour.md#registration-portal): a phone number or address checked, the
/// phone rule and the send limits applied before a code goes out, the code checked before the contact is saved,
/// security answers validated and hashed, and "Finish" confirming the registration. Every method saved writes a
/// registration activity row. The web layer keeps the forms, the session and the pages.
public struct RegistrationService: Sendable {
    private let store: any Store
    private let codes: CodeService
    /// The same limits as the reset portal's, decided here and nowhere else (docs/security.md#abuse).
    private let limits: SendLimits
    private let throttles: Throttles
    private let hasher: any PasswordHasher
    private let outbox: any Outbox
    private let reportLinks: ReportLinks
    private let clock: any WallClock
    private let random: any RandomSource
    private let keys: AuthenticatorKeys
    private let policies: PolicyCache
    private let recoveryCodes: RecoveryCodeService

    /// - Parameter policies: the instance's policy cache; without one, every read asks the store.
    public init(
        store: any Store, secret: ServerSecret, hasher: any PasswordHasher, outbox: any Outbox, reportLinks: ReportLinks, clock: any WallClock,
        random: any RandomSource, policies: PolicyCache? = nil, metrics: SesameMetrics = .none
    ) {
        self.store = store
        self.codes = CodeService(store: store, secret: secret, clock: clock, random: random, metrics: metrics)
        self.limits = SendLimits(store: store, clock: clock, metrics: metrics)
        self.throttles = Throttles(store: store, clock: clock, metrics: metrics)
        self.hasher = hasher
        self.outbox = outbox
        self.reportLinks = reportLinks
        self.clock = clock
        self.random = random
        self.keys = AuthenticatorKeys(secret: secret)
        self.policies = policies ?? PolicyCache(store: store, lifetime: .zero)
        self.recoveryCodes = RecoveryCodeService(store: store, hasher: hasher, outbox: outbox, clock: clock, random: random)
    }

    // MARK: Codes

    /// Sends a code to the phone number typed with its country (`region`, as in ``NumberingPlan``), by `channel`,
    /// once the phone rule (docs/security.md#toll-fraud) and the send limits allow it.
    public func sendCode(
        toRegion region: String, number: String, channel: PhoneChannel, for user: User, language: Language, client: String
    ) async throws -> RegistrationSend {
        guard let plan = NumberingPlan.regions.first(where: { $0.region == region }) else {
            return .invalid(LocalizedText("phone.unknownCountryCode", ["code": region]))
        }
        let phone: PhoneNumber
        switch Result(catching: { () throws(ValidationError) in try PhoneNumber(callingCode: plan.callingCode, number: number) }) {
        case .success(let parsed): phone = parsed
        case .failure(let error): return .invalid(error.message)
        }
        let policy = try await policy()
        if case .failure(let error) = Result(catching: { () throws(ValidationError) in try policy.phones.check(phone, for: channel) }) {
            return .phoneRefused(error.message)
        }
        return try await send(to: phone.e164, contact: .phone, channel: channel.codeChannel, for: user, policy: policy, language: language, client: client)
    }

    /// Sends a code to the typed email address once the send limits allow it.
    public func sendCode(toAddress typed: String, for user: User, language: Language, client: String) async throws -> RegistrationSend {
        let address: EmailAddress
        switch Result(catching: { () throws(ValidationError) in try EmailAddress(typed) }) {
        case .success(let parsed): address = parsed
        case .failure(let error): return .invalid(error.message)
        }
        return try await send(to: address.value, contact: .email, channel: .email, for: user, policy: try await policy(), language: language, client: client)
    }

    private func send(
        to destination: String, contact: RegisteredContact, channel: CodeChannel, for user: User, policy: Policy, language: Language, client: String
    ) async throws -> RegistrationSend {
        if let refusal = try await limits.allow(channel, to: destination, user: user.id, client: client) { return .refused(refusal) }
        let (code, challenge) = try await codes.issue(for: user.id, purpose: .registration, channel: channel, destination: destination)
        do {
            try await outbox.send(MessageComposer.verificationCode(code, channel: channel, to: destination, organisation: policy.organisationName, language: language))
        } catch {
            return .deliveryFailed(channel, reason: "\(error)")
        }
        return .sent(PendingRegistrationCode(challengeID: challenge.id, contact: contact, destination: destination, channel: channel))
    }

    /// Checks the typed code; when right, saves the contact as the user's verified one, writes the activity row and
    /// tells the addresses on file of the change (docs/behaviour.md#notices), in the user's language or else `language`.
    public func confirmCode(_ typed: String, for pending: PendingRegistrationCode, user: User, language: Language) async throws -> RegistrationConfirmation {
        // Wrong codes count for the user, not the code: a new code brings 3 tries of its own, never a fresh count
        // (docs/behaviour.md#registration-portal). Once spent, no code is checked, right or wrong.
        let subject = user.id.uuidString
        if try await store.throttleState(ThrottleKey(.registrationProof, subject))?.isBlocked(at: clock.now) == true {
            return .notAccepted(.exhausted)
        }
        let check = try await codes.verify(typed, challengeID: pending.challengeID)
        if case .wrong = check { _ = try await throttles.record(.registrationProof, subject) }
        guard check == .accepted else { return .notAccepted(check) }
        var updated = user
        switch pending.contact {
        case .phone: updated.authentication.authenticationPhone = try PhoneNumber(international: pending.destination)
        case .email: updated.authentication.authenticationEmail = try EmailAddress(pending.destination)
        }
        try await store.updateUser(updated)
        try await recordActivity(of: updated, registered: pending.contact.method)
        let notices = try await reportLinks.notices(
            of: ContactChange(before: user.authentication, after: updated.authentication, provedByUser: true), user: user,
            policy: try await policy(), language: user.locale ?? language)
        for notice in notices { try await outbox.post(notice) }
        return .saved
    }

    // MARK: Authenticator app

    /// A new key for the user's authenticator app, shown once and kept, sealed, in the session until a first code
    /// confirms it (docs/behaviour.md#authenticator-app).
    public func newAuthenticator(for user: User) async throws -> AuthenticatorEnrolment {
        let secret = AuthenticatorSecret.generate(using: random)
        return try await enrolment(secret, sealed: try keys.seal(secret, for: user.id, in: .session), for: user)
    }

    /// The key being registered, from what the session keeps; `nil` when it does not open for this user.
    public func pendingAuthenticator(_ sealed: Data, for user: User) async throws -> AuthenticatorEnrolment? {
        guard let secret = keys.open(sealed, for: user.id, in: .session) else { return nil }
        return try await enrolment(secret, sealed: sealed, for: user)
    }

    private func enrolment(_ secret: AuthenticatorSecret, sealed: Data, for user: User) async throws -> AuthenticatorEnrolment {
        let uri = secret.uri(issuer: try await policy().organisationName, account: user.userID)
        return AuthenticatorEnrolment(secret: secret, uri: uri, sealedForSession: sealed)
    }

    /// Checks a code of the key being registered; when right, saves the key, sealed, as the user's authenticator
    /// app, spends the code's time step, and writes the activity row.
    public func confirmAuthenticator(_ typed: String, for pending: AuthenticatorEnrolment, user: User) async throws -> AuthenticatorCodeCheck {
        guard let code = VerificationCode(typed) else { return .malformed }
        guard let step = TimeBasedPassword.matchingStep(of: code, key: pending.secret.bytes, at: clock.now) else { return .wrong }
        var updated = user
        updated.authentication.sealedAuthenticatorSecret = try keys.seal(pending.secret, for: user.id, in: .record)
        try await store.updateUser(updated)
        // So that this code cannot pass a reset gate as well. `false` means a later step is recorded already, which
        // refuses this one just the same.
        _ = try await store.claimAuthenticatorStep(step, ofUser: user.id)
        try await recordActivity(of: updated, registered: .authenticatorApp)
        // A new way to prove who one is: whoever held the session for a moment must not plant it unnoticed.
        await reportLinks.tell(updated, of: .authenticatorRegistered, policy: try await policy())
        return .accepted
    }

    // MARK: Recovery codes

    /// A new set of recovery codes to show once; it counts only once ``confirmRecoveryCodes(_:of:for:requestID:)``
    /// has seen one of them typed back (docs/behaviour.md#recovery-codes).
    public func generateRecoveryCodes() async throws -> NewRecoveryCodes {
        try await recoveryCodes.generate()
    }

    /// The user typed back one of the new codes: the set replaces any old one and the activity row is written.
    public func confirmRecoveryCodes(_ typed: String, of hashes: [StoredRecoveryCode], for user: User, requestID: String?) async throws -> RegistrationSave {
        guard try await recoveryCodes.confirm(typed, of: hashes, for: user, requestID: requestID) else {
            return .refused(LocalizedText("recoveryCodes.notConfirmed"))
        }
        try await recordActivity(of: user, registered: .recoveryCodes)
        await reportLinks.tell(user, of: .recoveryCodesGenerated, policy: try await policy())
        return .saved
    }

    // MARK: Security questions and finish

    /// Validates and hashes the answers against the policy's questions and count, and saves them.
    public func saveQuestions(_ answers: [(question: SecurityQuestion, answer: String)], for user: User) async throws -> RegistrationSave {
        let policy = try await policy()
        var updated = user
        do {
            updated.authentication.securityAnswers = try await SecurityAnswerHasher(hasher: hasher)
                .register(answers, required: policy.effective(for: user).questionsToRegister, offered: policy.availableQuestions)
        } catch let error as ValidationError {
            return .refused(error.message)
        }
        try await store.updateUser(updated)
        try await recordActivity(of: updated, registered: .securityQuestions)
        // New answers are a way to prove who one is, first ones included: told, as a new contact is
        // (docs/behaviour.md#notices).
        await reportLinks.tell(updated, of: .methodsChanged, policy: policy)
        return .saved
    }

    /// "Finish": confirms the registration now — its first date, or a re-confirmation's — when the methods on file
    /// meet the policy, and records it in the audit log.
    public func confirm(for user: User, requestID: String?) async throws -> RegistrationFinish {
        let effective = try await policy().effective(for: user)
        guard effective.isSatisfied(by: user.authentication) else { return .needsMore(methods: effective.methodsRequired) }
        var updated = user
        updated.registration.confirm(at: clock.now)
        try await store.updateUser(updated)
        try await store.appendAudit(AuditEvent(at: clock.now, activity: .registered, actor: user.userID, target: user.userID, requestID: requestID))
        return .confirmed
    }

    // MARK: Helpers

    private func policy() async throws -> Policy {
        try await policies.policy()
    }

    private func recordActivity(of user: User, registered method: AuthenticationMethod) async throws {
        try await store.appendRegistrationActivity(RegistrationActivity(at: clock.now, userID: user.userID, role: user.reportRole, dataRegistered: method))
    }
}
