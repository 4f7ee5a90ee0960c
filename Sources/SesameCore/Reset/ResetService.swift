import Foundation

/// The reset portal's logic (docs/behaviour.md#reset-portal): eligibility in the documented order, one or two gates
/// with the first method removed for the second, the phone-number check before any SMS or call, codes, security
/// questions redrawn after a wrong answer (and only then), throttles, and the new password. Every ending is recorded in
/// the reset activity report.
public struct ResetService: Sendable {
    private let store: any Store
    private let secret: ServerSecret
    private let codes: CodeService
    private let limits: SendLimits
    /// One proof or send at a time per user: the 24-hour block is checked before and counted after each, and
    /// simultaneous answers must not all pass the check (docs/security.md#races).
    private let turns = KeyedTurns(capacity: 1)
    private let hasher: any PasswordHasher
    private let passwords: AccountPasswords
    private let directory: (any Directory)?
    private let directoryStatus: DirectoryMonitor
    private let outbox: any Outbox
    private let clock: any WallClock

    public init(
        store: any Store, secret: ServerSecret, hasher: any PasswordHasher, outbox: any Outbox, clock: any WallClock,
        random: any RandomSource, directory: (any Directory)? = nil, directoryStatus: DirectoryMonitor? = nil
    ) {
        self.store = store
        self.secret = secret
        self.codes = CodeService(store: store, secret: secret, clock: clock, random: random)
        self.limits = SendLimits(store: store, clock: clock)
        self.hasher = hasher
        self.passwords = AccountPasswords(hasher: hasher, directory: directory, clock: clock)
        self.directory = directory
        // Shared by the caller when services are made per request: the remembered status is what spares the directory.
        self.directoryStatus = directoryStatus ?? DirectoryMonitor(directory: directory, clock: clock)
        self.outbox = outbox
        self.clock = clock
    }

    // MARK: Who are you?

    /// Checks the typed user ID. An unknown user ID ends exactly like a known user who cannot be verified, and
    /// nothing is sent.
    public func start(userID typed: String, clientAddress: String, requestID: String? = nil) async throws -> ResetStart {
        let now = clock.now
        guard try await store.recordEvent(ThrottleKey(.clientResetStart, clientAddress), rule: ThrottleKind.clientResetStart.rule, now: now).allowed else {
            return .tooManyStarts
        }
        let policy = try await policy()
        guard let user = try await store.user(userID: typed.trimmingCharacters(in: .whitespaces)) else {
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
        guard effective.usableMethods(of: user.authentication).count >= effective.methodsRequired else {
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
        if try await isBlocked(user) { return .blocked }
        let flow = ResetFlow(typedUserID: typed, userID: user.id, startedAt: now)
        return .verify(flow, gates: effective.methodsRequired, options: options(for: user, policy: policy, excluding: []))
    }

    /// The options for the next gate: every usable method not used yet (docs/behaviour.md#gates), and of a phone only
    /// the channels the phone rule allows (a landline is called, never texted).
    public func options(for user: User, policy: Policy, excluding used: Set<AuthenticationMethod>) -> [GateOption] {
        let effective = policy.effective(for: user)
        let data = user.authentication
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
            }
        }
    }

    // MARK: Gates

    /// Chooses an option for the current gate: phones ask for the number first, email sends a code, questions are drawn.
    public func choose(_ option: VerificationOption, in flow: ResetFlow, language: Language, clientAddress: String) async throws -> GateStep {
        try await turns.withTurn(flow.userID.uuidString) { try await chooseInTurn(option, in: flow, language: language, clientAddress: clientAddress) }
    }

    private func chooseInTurn(_ option: VerificationOption, in flow: ResetFlow, language: Language, clientAddress: String) async throws -> GateStep {
        guard !flow.hasExpired(at: clock.now) else { return .expired }
        let (user, policy) = try await context(of: flow)
        guard options(for: user, policy: policy, excluding: flow.usedMethods).contains(where: { $0.option == option }) else {
            return .waiting(flow)
        }
        // Before anything is sent or drawn: the block may have come from another flow since this one started.
        if try await isBlocked(user) { return try await endBlocked(flow, user: user, option: option) }
        var flow = flow
        switch option {
        case .mobileSMS, .mobileVoice, .officeVoice:
            flow.begin(.confirmPhone(option))
            return .waiting(flow)
        case .email:
            guard let email = user.authentication.resetEmail else { return .waiting(flow) }
            return try await send(.email, to: email.value, option: .email, flow: flow, user: user, policy: policy, language: language, client: clientAddress)
        case .securityQuestions:
            flow.begin(.questions(try await draw(for: user, policy: policy)))
            return .waiting(flow)
        }
    }

    /// The user typed the full phone number: it must match the number on file before anything is sent.
    public func confirmPhone(_ typed: String, in flow: ResetFlow, language: Language, clientAddress: String) async throws -> GateStep {
        try await turns.withTurn(flow.userID.uuidString) { try await confirmPhoneInTurn(typed, in: flow, language: language, clientAddress: clientAddress) }
    }

    private func confirmPhoneInTurn(_ typed: String, in flow: ResetFlow, language: Language, clientAddress: String) async throws -> GateStep {
        guard !flow.hasExpired(at: clock.now) else { return .expired }
        guard case .confirmPhone(let option) = flow.challenge else { return .waiting(flow) }
        let (user, policy) = try await context(of: flow)
        let onFile = option == .officeVoice ? user.authentication.officePhone : user.authentication.resetMobilePhone
        guard let onFile else { return .waiting(flow) }
        let channel: PhoneChannel = option == .mobileSMS ? .sms : .voice
        // Offered when chosen, but the policy may have changed since: checked again right before the send.
        if let refusal = policy.phones.refusal(of: onFile, for: channel) { return .phoneRefused(flow.droppingChallenge(), refusal) }
        if try await isBlocked(user) { return try await endBlocked(flow, user: user, option: option) }
        guard try await limits.mayCheckPhoneNumber(user: user.id, client: clientAddress) else {
            try await record(flow, user: user, detail: .blockedPhoneValidation)
            return .blocked
        }
        let matches = (try? PhoneNumber(international: typed)) == onFile
            || (try? PhoneNumber(callingCode: onFile.callingCode, number: typed)) == onFile
        guard matches else {
            // A wrong number counts for this user from this network only: a stranger's guesses block the stranger.
            guard try await limits.allowWrongPhoneNumber(user: user.id, client: clientAddress) else {
                try await record(flow, user: user, detail: .blockedPhoneValidation)
                return .blocked
            }
            return .incorrectPhoneNumber(flow)
        }
        return try await send(
            channel.codeChannel, to: onFile.e164, option: option, flow: flow, user: user, policy: policy, language: language,
            client: clientAddress)
    }

    private func send(
        _ channel: CodeChannel, to destination: String, option: VerificationOption, flow: ResetFlow, user: User, policy: Policy,
        language: Language, client: String
    ) async throws -> GateStep {
        if try await isBlocked(user) { return try await endBlocked(flow, user: user, option: option) }
        var flow = flow
        switch try await limits.allow(channel, to: destination, user: user.id, client: client) {
        case nil: break
        case .phone:
            try await record(flow, user: user, detail: .blockedPhoneValidation)
            return .blocked
        case .email:
            try await record(flow, user: user, detail: .blockedInvalidCodes(.email))
            return .blocked
        case let refusal?:
            return .sendRefused(flow.droppingChallenge(), refusal)
        }
        let (code, challenge) = try await codes.issue(for: user.id, purpose: .reset, channel: channel, destination: destination)
        do {
            try await outbox.send(MessageComposer.verificationCode(code, channel: channel, to: destination, organisation: policy.organisationName, language: language))
        } catch {
            return .deliveryFailed(flow.droppingChallenge())
        }
        flow.begin(.code(option, challengeID: challenge.id, destination: destination))
        return .waiting(flow)
    }

    /// Checks a typed code. Wrong codes count as failed identity proofs; the fifth blocks the user for 24 hours.
    public func verifyCode(_ typed: String, in flow: ResetFlow) async throws -> GateStep {
        try await turns.withTurn(flow.userID.uuidString) { try await verifyCodeInTurn(typed, in: flow) }
    }

    private func verifyCodeInTurn(_ typed: String, in flow: ResetFlow) async throws -> GateStep {
        guard !flow.hasExpired(at: clock.now) else { return .expired }
        guard case .code(let option, let challengeID, _) = flow.challenge else { return .waiting(flow) }
        let (user, policy) = try await context(of: flow)
        // Checked before the code: a code sent before the block, in this flow or another, proves nothing after it.
        if try await isBlocked(user) { return try await endBlocked(flow, user: user, option: option) }
        switch try await codes.verify(typed, challengeID: challengeID) {
        case .accepted:
            return passed(flow, user: user, policy: policy)
        case .malformed:
            return .wrong(flow, attemptsLeft: nil)
        case .wrong(let left):
            guard try await failedProof(flow, user: user, option: option) else { return .blocked }
            return left > 0 ? .wrong(flow, attemptsLeft: left) : .codeUnusable(flow.droppingChallenge())
        case .expired, .exhausted, .alreadyUsed, .unknown:
            return .codeUnusable(flow.droppingChallenge())
        }
    }

    /// Checks the answers to the drawn questions; a wrong set is a failed proof and draws the questions again.
    public func answer(_ answers: [SecurityQuestion: String], in flow: ResetFlow) async throws -> GateStep {
        try await turns.withTurn(flow.userID.uuidString) { try await answerInTurn(answers, in: flow) }
    }

    private func answerInTurn(_ answers: [SecurityQuestion: String], in flow: ResetFlow) async throws -> GateStep {
        guard !flow.hasExpired(at: clock.now) else { return .expired }
        guard case .questions(let drawn) = flow.challenge else { return .waiting(flow) }
        let (user, policy) = try await context(of: flow)
        if try await isBlocked(user) { return try await endBlocked(flow, user: user, option: .securityQuestions) }
        let right = await SecurityAnswerHasher(hasher: hasher)
            .verify(answers, draw: QuestionDraw(questions: drawn), registered: user.authentication.securityAnswers)
        if right { return passed(flow, user: user, policy: policy) }
        guard try await failedProof(flow, user: user, option: .securityQuestions) else { return .blocked }
        var redrawn = flow
        redrawn.begin(.questions(try await draw(for: user, policy: policy)))
        return .wrong(redrawn, attemptsLeft: nil)
    }

    private func passed(_ flow: ResetFlow, user: User, policy: Policy) -> GateStep {
        var flow = flow
        flow.pass()
        let required = policy.effective(for: user).methodsRequired
        let left = flow.passed.count >= required ? [] : options(for: user, policy: policy, excluding: flow.usedMethods)
        return .passed(flow, options: left)
    }

    /// Whether the user is within the 24 hours that follow their fifth failed identity proof. The block belongs to the
    /// user, not to the flow that earned it, so every flow asks again at every proof and send.
    private func isBlocked(_ user: User) async throws -> Bool {
        try await store.throttleState(ThrottleKey(.identityProof, user.id.uuidString))?.isBlocked(at: clock.now) == true
    }

    /// Ends a flow that met a block another flow earned: recorded as blocked in the report (the block itself was
    /// audited when it was earned).
    private func endBlocked(_ flow: ResetFlow, user: User, option: VerificationOption) async throws -> GateStep {
        try await record(flow, user: user, detail: .blockedInvalidCodes(option))
        return .blocked
    }

    /// Counts a failed proof; `false` when it blocked the user (the block is recorded).
    private func failedProof(_ flow: ResetFlow, user: User, option: VerificationOption) async throws -> Bool {
        let outcome = try await store.recordEvent(ThrottleKey(.identityProof, user.id.uuidString), rule: ThrottleKind.identityProof.rule, now: clock.now)
        guard outcome.allowed, !outcome.state.isBlocked(at: clock.now) else {
            try await record(flow, user: user, detail: .blockedInvalidCodes(option))
            try await store.appendAudit(AuditEvent(
                at: clock.now, activity: .blocked, actor: "anonymous", target: user.userID, status: .failure,
                detail: ResetDetail.blockedInvalidCodes(option).text.description))
            return false
        }
        return true
    }

    /// The questions this user is asked now: the same until their next failed proof, whichever flow asks
    /// (docs/security.md#security-questions).
    private func draw(for user: User, policy: Policy) async throws -> [SecurityQuestion] {
        let rule = ThrottleKind.identityProof.rule
        let failures = try await store.throttleState(ThrottleKey(.identityProof, user.id.uuidString))
            .flatMap { clock.now.timeIntervalSince($0.windowStart) < rule.window ? $0.count : nil } ?? 0
        return QuestionDraw.draw(
            from: user.authentication.securityAnswers.map(\.question), count: policy.effective(for: user).questionsToReset, round: failures,
            using: KeyedRandomStream(secret: secret, label: "questions|\(user.id.uuidString)")
        ).questions
    }

    // MARK: New password

    /// Whether every required gate is passed.
    public func isVerified(_ flow: ResetFlow) async throws -> Bool {
        let (user, policy) = try await context(of: flow)
        return flow.passed.count >= policy.effective(for: user).methodsRequired
    }

    /// Sets the new password once every gate is passed. A reset may reuse the current password
    /// (docs/behaviour.md#new-password-or-unlock), always unlocks, and clears the user's throttles. A directory user's
    /// password must pass Sesame's policy and then the directory's, and the reset is done only once the directory
    /// confirmed it. `language`, the page's, becomes the user's: notices (this one's included) are written in it.
    public func setPassword(_ password: String, in flow: ResetFlow, language: Language? = nil, requestID: String? = nil) async throws -> PasswordStep {
        guard !flow.hasExpired(at: clock.now) else { return .expired }
        guard try await isVerified(flow) else { return .rejected([]) }
        var (user, policy) = try await context(of: flow)
        let engine = PasswordPolicyEngine(policy: policy)
        let rejections = engine.check(password, context: PasswordContext(givenName: user.givenName, surname: user.surname, organisationName: policy.organisationName))
        guard rejections.isEmpty else { return .rejected(rejections) }
        do {
            try await passwords.reset(&user, to: password)
        } catch let error as WritebackError {
            return try await refused(error, flow: flow, user: user, activity: .selfServiceResetPassword, requestID: requestID)
        }
        if let language { user.locale = language }
        try await complete(flow, user: user, activity: .selfServiceResetPassword, detail: .succeeded, requestID: requestID)
        // A reset is what a user does when someone else may know the password: whoever signed in with it is out.
        _ = try await store.deleteSessions(userID: user.id, keeping: nil)
        await notify(after: user, policy: policy)
        return .done
    }

    /// The reset notices (docs/behaviour.md#notices), queued: the page does not wait for them, and one that cannot be
    /// queued does not undo the reset.
    private func notify(after user: User, policy: Policy) async {
        let language = user.locale ?? .english
        if policy.notifyUsers {
            let emails = Set([user.authentication.authenticationEmail, user.authentication.alternateEmail].compactMap { $0 })
            // Without an email on file, the user ID when it is an address (docs/behaviour.md#notices).
            let addresses = emails.isEmpty ? Set([user.noticeAddress].compactMap { $0 }) : emails
            for address in addresses.sorted() {
                try? await outbox.post(MessageComposer.resetNotice(to: address, userID: user.userID, organisation: policy.organisationName, language: language))
            }
        }
        guard policy.notifyAdmins, user.isPrivileged,
            let admins = try? await store.users(withRole: .globalAdmin, limit: 100)
        else { return }
        for admin in admins where admin.id != user.id {
            guard let address = admin.noticeAddress else { continue }
            try? await outbox.post(MessageComposer.adminResetNotice(
                to: address, admin: user.userID, organisation: policy.organisationName, language: admin.locale ?? .english))
        }
    }

    /// Whether the verified user may choose "unlock only" (docs/behaviour.md#new-password-or-unlock): the account is
    /// locked and the policy allows it.
    public func canUnlockOnly(_ flow: ResetFlow) async throws -> Bool {
        let (user, policy) = try await context(of: flow)
        guard policy.allowUnlock else { return false }
        return await passwords.isLocked(user)
    }

    /// Unlocks without changing the password ("Unlock user account (self-service)").
    public func unlock(_ flow: ResetFlow, requestID: String? = nil) async throws -> PasswordStep {
        guard !flow.hasExpired(at: clock.now) else { return .expired }
        guard try await isVerified(flow), try await canUnlockOnly(flow) else { return .rejected([]) }
        var (user, _) = try await context(of: flow)
        do {
            try await passwords.unlock(&user)
        } catch {
            return try await refused(error, flow: flow, user: user, activity: .selfServiceUnlock, requestID: requestID)
        }
        try await complete(flow, user: user, activity: .selfServiceUnlock, detail: .unlocked, requestID: requestID)
        return .done
    }

    /// The directory refused: audited with its writeback error name. A password its policy refused may be retried;
    /// anything else ends the flow and is recorded in the reset activity report.
    private func refused(
        _ error: WritebackError, flow: ResetFlow, user: User, activity: AuditActivity, requestID: String?
    ) async throws -> PasswordStep {
        try await store.appendAudit(AuditEvent(
            at: clock.now, activity: activity, actor: user.userID, target: user.userID, status: .failure,
            failureReason: error.eventName, requestID: requestID))
        if !error.isPasswordRefusal {
            if case .unavailable = error {
                try await record(flow, user: user, detail: .directoryUnreachable, requestID: requestID)
            } else {
                try await record(flow, user: user, detail: .directoryFailed, requestID: requestID)
            }
        }
        return .refusedByDirectory(error)
    }

    /// A successful ending: the account is unlocked, the user's throttles forgotten (docs/behaviour.md#throttles), and
    /// it is audited.
    private func complete(_ flow: ResetFlow, user: User, activity: AuditActivity, detail: ResetDetail, requestID: String?) async throws {
        var user = user
        user.lockout.clear()
        try await store.updateUser(user)
        try await store.clearLockout(ofUser: user.id)
        try await store.clearThrottles(subject: user.id.uuidString, kinds: ThrottleKind.perUser)
        try await store.appendAudit(AuditEvent(at: clock.now, activity: activity, actor: user.userID, target: user.userID, requestID: requestID))
        try await record(flow, user: user, detail: detail, requestID: requestID)
    }

    /// Records how a flow that did not succeed ended: cancelled, abandoned, contacted an administrator.
    public func end(_ flow: ResetFlow, detail: ResetDetail, requestID: String? = nil) async throws {
        let user = try await store.user(id: flow.userID)
        try await store.appendResetActivity(ResetActivity(
            at: clock.now, userID: flow.typedUserID, role: user?.reportRole ?? "user", methodsUsed: flow.passed, detail: detail, requestID: requestID))
    }

    // MARK: Contact your administrator

    /// Asks the administrators to reset the password of the user typed at "Who are you?"
    /// (docs/behaviour.md#contact-your-administrator): helpdesk and password administrators, or else user
    /// administrators, or else global administrators, at most 100, each in their own language. An unknown user ID, or a
    /// second request within the hour, sends nothing; the page is the same either way.
    public func contactAdministrators(typedUserID: String, supportCode: String, clientAddress: String) async throws {
        let typed = typedUserID.trimmingCharacters(in: .whitespaces)
        guard let user = try await store.user(userID: typed),
              try await store.recordEvent(ThrottleKey(.clientSend, clientAddress), rule: ThrottleKind.clientSend.rule, now: clock.now).allowed,
              try await store.recordEvent(ThrottleKey(.contactRequest, user.id.uuidString), rule: ThrottleKind.contactRequest.rule, now: clock.now).allowed
        else { return }
        let policy = try await policy()
        for admin in try await administratorsToContact(excluding: user.id) {
            guard let address = admin.noticeAddress else { continue }
            try await outbox.post(MessageComposer.contactRequest(
                to: address, userID: user.userID, supportCode: supportCode, organisation: policy.organisationName, language: admin.locale ?? .english))
        }
    }

    /// A reset from a browser without cookies (the report's "User tried to reset from a device without cookies
    /// enabled", docs/behaviour.md#endings). The post failed its CSRF check, so it is recorded only for a real user and
    /// once an hour: anonymous posts cannot write to the store (docs/security.md#anonymous-writes).
    public func recordNoCookies(typedUserID: String, requestID: String) async throws {
        let typed = typedUserID.trimmingCharacters(in: .whitespaces)
        guard let user = try await store.user(userID: typed),
              try await store.recordEvent(ThrottleKey(.cookielessReport, user.id.uuidString), rule: ThrottleKind.cookielessReport.rule, now: clock.now).allowed
        else { return }
        try await record(user.userID, role: user.reportRole, detail: .noCookies, requestID: requestID)
    }

    /// The first tier of administrators that has anyone in it, at most 100 people.
    func administratorsToContact(excluding userID: UUID) async throws -> [User] {
        let limit = 100
        for tier: [Role] in [[.helpdeskAdmin, .passwordAdmin], [.userAdmin], [.globalAdmin]] {
            var found: [UUID: User] = [:]
            for role in tier {
                for admin in try await store.users(withRole: role, limit: limit + 1) where admin.id != userID { found[admin.id] = admin }
            }
            if !found.isEmpty { return Array(found.values.sorted { $0.userID < $1.userID }.prefix(limit)) }
        }
        return []
    }

    // MARK: Helpers

    private func policy() async throws -> Policy {
        try await store.policy()?.policy ?? Policy()
    }

    private func context(of flow: ResetFlow) async throws -> (User, Policy) {
        guard let user = try await store.user(id: flow.userID) else { throw StoreError.notFound("user") }
        return (user, try await policy())
    }

    private func record(_ typed: String, role: String, detail: ResetDetail, requestID: String?) async throws {
        try await store.appendResetActivity(ResetActivity(at: clock.now, userID: typed, role: role, methodsUsed: [], detail: detail, requestID: requestID))
    }

    private func record(_ flow: ResetFlow, user: User, detail: ResetDetail, requestID: String? = nil) async throws {
        var methods = flow.passed
        if detail.result != .succeeded, let current = flow.challenge?.option { methods.append(current) }
        try await store.appendResetActivity(ResetActivity(
            at: clock.now, userID: flow.typedUserID, role: user.reportRole, methodsUsed: methods, detail: detail, requestID: requestID))
    }
}
