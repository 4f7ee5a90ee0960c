import Foundation

/// The reset portal's logic (docs/behaviour.md#reset-portal): eligibility in the documented order, one or two gates
/// with the first method removed for the second, the phone-number check before any SMS or call, codes, security
/// questions redrawn after a wrong answer (and only then), authenticator codes, throttles, and the new password. Every
/// ending is recorded in the reset activity report.
public struct ResetService: Sendable {
    let store: any Store
    let secret: ServerSecret
    let codes: CodeService
    let authenticators: AuthenticatorCheck
    let recoveryCodes: RecoveryCodeService
    /// The passkey gate's checks; its relying party is `nil` when passkeys cannot be used here.
    public let passkeys: PasskeyService
    let limits: SendLimits
    let throttles: Throttles
    let metrics: SesameMetrics
    /// One proof or send at a time per user: the 24-hour block is checked before and counted after each, and
    /// simultaneous answers must not all pass the check (docs/security.md#races).
    let turns = KeyedTurns(capacity: 1)
    let hasher: any PasswordHasher
    let accessPasses: AccessPassService
    let passwords: AccountPasswords
    let directory: (any Directory)?
    let directoryStatus: DirectoryMonitor
    let outbox: any Outbox
    /// The "This wasn't me" links of the reset notices (docs/behaviour.md#this-wasnt-me).
    let reportLinks: ReportLinks
    let clock: any WallClock
    let policies: PolicyCache

    public init(
        store: any Store, secret: ServerSecret, hasher: any PasswordHasher, outbox: any Outbox, reportLinks: ReportLinks, clock: any WallClock,
        random: any RandomSource, directory: (any Directory)? = nil, directoryStatus: DirectoryMonitor? = nil, policies: PolicyCache? = nil,
        metrics: SesameMetrics = .none, relyingParty: PasskeyRelyingParty? = nil
    ) {
        self.store = store
        self.secret = secret
        self.codes = CodeService(store: store, secret: secret, clock: clock, random: random, metrics: metrics)
        self.authenticators = AuthenticatorCheck(store: store, keys: AuthenticatorKeys(secret: secret), clock: clock)
        self.recoveryCodes = RecoveryCodeService(store: store, hasher: hasher, outbox: outbox, clock: clock, random: random)
        self.limits = SendLimits(store: store, clock: clock, metrics: metrics)
        self.throttles = Throttles(store: store, clock: clock, metrics: metrics)
        self.metrics = metrics
        self.hasher = hasher
        self.accessPasses = AccessPassService(store: store, hasher: hasher, clock: clock, random: random, reportLinks: reportLinks, policies: policies)
        self.passwords = AccountPasswords(hasher: hasher, directory: directory, clock: clock)
        self.directory = directory
        // Shared by the caller when services are made per request: the remembered status is what spares the directory.
        self.directoryStatus = directoryStatus ?? DirectoryMonitor(directory: directory, clock: clock)
        self.outbox = outbox
        self.reportLinks = reportLinks
        self.clock = clock
        // Without the instance's cache, every read asks the store.
        let policies = policies ?? PolicyCache(store: store, lifetime: .zero)
        self.policies = policies
        self.passkeys = PasskeyService(
            store: store, secret: secret, clock: clock, random: random, relyingParty: relyingParty, reportLinks: reportLinks, policies: policies)
    }

    // MARK: Who are you?

    /// Checks the typed user ID. An unknown user ID ends exactly like a known user who cannot be verified, and
    /// nothing is sent.
    public func start(userID typed: String, clientAddress: String, requestID: String? = nil) async throws -> ResetStart {
        let now = clock.now
        guard try await throttles.allows(.clientResetStart, clientAddress) else { return .tooManyStarts }
        metrics.resetStarted()
        let policy = try await policy()
        guard let user = try await store.user(userID: typed.trimmingWhiteSpace()) else {
            // The same reads as a known user without enough methods, who is asked for a pass.
            _ = try await store.accessPass(ofUser: UUID())
            try await record(typed, role: "user", detail: .insufficientMethods, requestID: requestID)
            return .cannotVerify
        }
        switch policy.eligibility(of: user) {
        case .eligible: break
        case .accountDisabled:
            try await record(typed, role: user.reportRole, detail: .accountDisabled, requestID: requestID)
            return .notEnabled
        case .disabledForOrganisation:
            try await record(typed, role: user.reportRole, detail: .disabledForOrganisation, requestID: requestID)
            return .notEnabled
        case .notInGroup:
            try await record(typed, role: user.reportRole, detail: .notInGroup, requestID: requestID)
            return .notEnabled
        }
        let effective = policy.effective(for: user)
        // A temporary access pass stands for the methods the user lost (docs/behaviour.md#temporary-access-pass).
        var usable = effective.usableMethods(of: user.authentication)
        // Passkeys a public URL without a host cannot serve.
        if !passkeys.isAvailable { usable.remove(.passkey) }
        var canVerify = usable.count >= effective.methodsRequired
        if !canVerify { canVerify = try await accessPasses.usablePass(of: user) != nil }
        guard canVerify else {
            // The same page either way; the report tells the administrator which number to fix.
            let detail: ResetDetail = effective.refusesPhone(of: user.authentication) ? .phoneNotAllowed : .insufficientMethods
            try await record(typed, role: user.reportRole, detail: detail, requestID: requestID)
            return .cannotVerify
        }
        if user.source == .directory {
            guard policy.writesBack(directoryConfigured: directory != nil) else {
                try await record(typed, role: user.reportRole, detail: .managedInDirectory, requestID: requestID)
                return .managedElsewhere
            }
            // The directory must be reachable before the user spends time on the gates
            // (docs/behaviour.md#password-writeback). Its remembered status: an anonymous start must not open a
            // connection to the directory each time.
            guard await directoryStatus.status().isConfigured else {
                try await record(typed, role: user.reportRole, detail: .directoryUnreachable, requestID: requestID)
                return .directoryUnavailable
            }
        }
        if try await isBlocked(user, from: clientAddress) { return .blocked }
        let flow = ResetFlow(typedUserID: typed, userID: user.id, startedAt: now, clientAddress: clientAddress)
        return .verify(flow, gates: effective.methodsRequired, options: options(for: user, policy: policy, excluding: []))
    }

    /// The options for the next gate: every usable method not used yet (docs/behaviour.md#gates), and of a phone only
    /// the channels the phone rule allows (a landline is called, never texted).
    public func options(for user: User, policy: Policy, excluding used: Set<AuthenticationMethod>) -> [GateOption] {
        let effective = policy.effective(for: user)
        let data = effective.resetData(user.authentication)
        let phone = { (number: PhoneNumber, options: [(VerificationOption, PhoneChannel)]) in
            options.filter { policy.phones.permits(number, for: $0.1) }.map { GateOption(option: $0.0, destination: number.masked) }
        }
        return effective.usableMethods(of: data).subtracting(used).sorted().flatMap { method -> [GateOption] in
            switch method {
            // A usable method has its address; the optionals only keep a broken record from stopping the server.
            case .email: data.resetEmail.map { [GateOption(option: .email, destination: $0.masked)] } ?? []
            case .mobilePhone: data.resetMobilePhone.map { phone($0, [(.mobileSMS, .sms), (.mobileVoice, .voice)]) } ?? []
            case .officePhone: data.officePhone.map { phone($0, [(.officeVoice, .voice)]) } ?? []
            case .securityQuestions: [GateOption(option: .securityQuestions, destination: "")]
            case .authenticatorApp: [GateOption(option: .authenticatorApp, destination: "")]
            case .recoveryCodes: [GateOption(option: .recoveryCode, destination: "")]
            case .passkey: passkeys.isAvailable ? [GateOption(option: .passkey, destination: "")] : []
            }
        }
    }

    // MARK: Helpers

    func policy() async throws -> Policy {
        try await policies.policy()
    }

    func context(of flow: ResetFlow) async throws -> (User, Policy) {
        guard let user = try await store.user(id: flow.userID) else { throw StoreError.notFound("user") }
        return (user, try await policy())
    }

    /// Every ending goes through one of these, or `recordEnding`, so the report and the metrics count the same resets.
    func record(_ typed: String, role: String, detail: ResetDetail, requestID: String?) async throws {
        metrics.resetEnded(detail.result)
        // Whatever was typed, escaped: a control character could turn a report's line around, and PostgreSQL refuses a NUL.
        try await store.appendResetActivity(ResetActivity(
            at: clock.now, userID: PrintableText.escaping(typed), role: role, methodsUsed: [], detail: detail, requestID: requestID))
    }

    /// A step-up is no reset: the report leaves it out (its block is audited like any other).
    func record(_ flow: ResetFlow, user: User, detail: ResetDetail, requestID: String? = nil) async throws {
        guard !flow.isStepUp else { return }
        metrics.resetEnded(detail.result)
        var methods = flow.passed
        if detail.result != .succeeded, let current = flow.challenge?.option { methods.append(current) }
        try await store.appendResetActivity(ResetActivity(
            at: clock.now, userID: flow.typedUserID, role: user.reportRole, methodsUsed: methods, detail: detail, requestID: requestID))
    }
}
