import Foundation

/// The gates: choosing a method, the phone number's check, codes and security questions, each proof counted toward
/// the 24-hour block (docs/behaviour.md#gates).
extension ResetService {
    /// Chooses an option for the current gate: phones ask for the number first, email sends a code, questions are drawn.
    public func choose(_ option: VerificationOption, in flow: ResetFlow, language: Language, clientAddress: String) async throws -> GateStep {
        try await turns.withTurn(flow.userID.uuidString) { try await chooseInTurn(option, in: flow, language: language, clientAddress: clientAddress) }
    }

    func chooseInTurn(_ option: VerificationOption, in flow: ResetFlow, language: Language, clientAddress: String) async throws -> GateStep {
        guard !flow.hasExpired(at: clock.now) else { return .expired }
        let (user, policy) = try await context(of: flow)
        guard options(for: user, policy: policy, excluding: flow.usedMethods).contains(where: { $0.option == option }) else {
            return .waiting(flow)
        }
        // Before anything is sent or drawn: the block may have come from another flow since this one started.
        if try await isBlocked(user, from: flow.clientAddress) { return try await endBlocked(flow, user: user, option: option) }
        var flow = flow
        switch option {
        case .mobileSMS, .mobileVoice, .officeVoice:
            flow.begin(.confirmPhone(option))
            return .waiting(flow)
        case .email:
            guard let email = policy.effective(for: user).resetData(user.authentication).resetEmail else { return .waiting(flow) }
            return try await send(.email, to: email.value, option: .email, flow: flow, user: user, policy: policy, language: language, client: clientAddress)
        case .securityQuestions:
            flow.begin(.questions(try await draw(for: user, policy: policy)))
            return .waiting(flow)
        case .recoveryCode:
            flow.begin(.recoveryCode)
            return .waiting(flow)
        case .authenticatorApp:
            flow.begin(.authenticatorCode)
            return .waiting(flow)
        case .passkey:
            flow.begin(.passkey)
            return .waiting(flow)
        case .accessPass:
            // Never among the options: a pass has its own page (`redeemAccessPass`).
            return .waiting(flow)
        }
    }

    /// The user typed the full phone number: it must match the number on file before anything is sent.
    public func confirmPhone(_ typed: String, in flow: ResetFlow, language: Language, clientAddress: String) async throws -> GateStep {
        try await turns.withTurn(flow.userID.uuidString) { try await confirmPhoneInTurn(typed, in: flow, language: language, clientAddress: clientAddress) }
    }

    func confirmPhoneInTurn(_ typed: String, in flow: ResetFlow, language: Language, clientAddress: String) async throws -> GateStep {
        guard !flow.hasExpired(at: clock.now) else { return .expired }
        guard case .confirmPhone(let option) = flow.challenge else { return .waiting(flow) }
        let (user, policy) = try await context(of: flow)
        guard let onFile = phoneOnFile(for: option, of: user, policy: policy) else { return .waiting(flow) }
        let channel: PhoneChannel = option == .mobileSMS ? .sms : .voice
        // Offered when chosen, but the policy may have changed since: checked again right before the send.
        if let refusal = policy.phones.refusal(of: onFile, for: channel) { return .phoneRefused(flow.droppingChallenge(), refusal) }
        if try await isBlocked(user, from: flow.clientAddress) { return try await endBlocked(flow, user: user, option: option) }
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
            return .incorrectPhoneNumber(flow, view: view(of: flow, user: user, policy: policy))
        }
        return try await send(
            channel.codeChannel, to: onFile.e164, option: option, flow: flow, user: user, policy: policy, language: language,
            client: clientAddress)
    }

    func send(
        _ channel: CodeChannel, to destination: String, option: VerificationOption, flow: ResetFlow, user: User, policy: Policy,
        language: Language, client: String
    ) async throws -> GateStep {
        if try await isBlocked(user, from: flow.clientAddress) { return try await endBlocked(flow, user: user, option: option) }
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
            let dropped = flow.droppingChallenge()
            return .sendRefused(dropped, refusal, view: view(of: dropped, user: user, policy: policy))
        }
        let (code, challenge) = try await codes.issue(for: user.id, purpose: .reset, channel: channel, destination: destination)
        do {
            try await outbox.send(MessageComposer.verificationCode(code, channel: channel, to: destination, organisation: policy.organisationName, language: language))
        } catch {
            let dropped = flow.droppingChallenge()
            return .deliveryFailed(dropped, view: view(of: dropped, user: user, policy: policy))
        }
        flow.begin(.code(option, challengeID: challenge.id, destination: destination))
        return .waiting(flow)
    }

    /// Checks a typed code, sent or shown by the authenticator app. Wrong codes count as failed identity proofs; the
    /// fifth blocks the user for 24 hours.
    public func verifyCode(_ typed: String, in flow: ResetFlow) async throws -> GateStep {
        try await turns.withTurn(flow.userID.uuidString) { try await verifyCodeInTurn(typed, in: flow) }
    }

    func verifyCodeInTurn(_ typed: String, in flow: ResetFlow) async throws -> GateStep {
        guard !flow.hasExpired(at: clock.now) else { return .expired }
        if flow.challenge == .authenticatorCode { return try await verifyAuthenticatorCode(typed, in: flow) }
        guard case .code(let option, let challengeID, _) = flow.challenge else { return .waiting(flow) }
        let (user, policy) = try await context(of: flow)
        // Checked before the code: a code sent before the block, in this flow or another, proves nothing after it.
        if try await isBlocked(user, from: flow.clientAddress) { return try await endBlocked(flow, user: user, option: option) }
        switch try await codes.verify(typed, challengeID: challengeID) {
        case .accepted:
            return passed(flow, user: user, policy: policy)
        case .malformed:
            return .wrong(flow, attemptsLeft: nil, view: view(of: flow, user: user, policy: policy))
        case .wrong(let left):
            guard try await failedProof(flow, user: user, option: option) else { return .blocked }
            guard left > 0 else { return codeUnusable(flow, user: user, policy: policy) }
            return .wrong(flow, attemptsLeft: left, view: view(of: flow, user: user, policy: policy))
        case .expired, .exhausted, .alreadyUsed, .unknown:
            return codeUnusable(flow, user: user, policy: policy)
        }
    }

    /// The authenticator app's code (docs/behaviour.md#authenticator-app): a wrong one, or one already used, counts a
    /// failed identity proof exactly as a wrong sent code does; the gate stays open for the next code.
    func verifyAuthenticatorCode(_ typed: String, in flow: ResetFlow) async throws -> GateStep {
        let (user, policy) = try await context(of: flow)
        if try await isBlocked(user, from: flow.clientAddress) { return try await endBlocked(flow, user: user, option: .authenticatorApp) }
        switch try await authenticators.verify(typed, for: user) {
        case .accepted:
            return passed(flow, user: user, policy: policy)
        case .malformed:
            return .wrong(flow, attemptsLeft: nil, view: view(of: flow, user: user, policy: policy))
        case .wrong, .reused:
            guard try await failedProof(flow, user: user, option: .authenticatorApp) else { return .blocked }
            return .authenticatorRefused(flow, view: view(of: flow, user: user, policy: policy))
        }
    }

    /// Checks the answers to the drawn questions; a wrong set is a failed proof and draws the questions again.
    public func answer(_ answers: [SecurityQuestion: String], in flow: ResetFlow) async throws -> GateStep {
        try await turns.withTurn(flow.userID.uuidString) { try await answerInTurn(answers, in: flow) }
    }

    func answerInTurn(_ answers: [SecurityQuestion: String], in flow: ResetFlow) async throws -> GateStep {
        guard !flow.hasExpired(at: clock.now) else { return .expired }
        guard case .questions(let drawn) = flow.challenge else { return .waiting(flow) }
        let (user, policy) = try await context(of: flow)
        if try await isBlocked(user, from: flow.clientAddress) { return try await endBlocked(flow, user: user, option: .securityQuestions) }
        let right = await SecurityAnswerHasher(hasher: hasher)
            .verify(answers, draw: QuestionDraw(questions: drawn), registered: user.authentication.securityAnswers)
        if right { return passed(flow, user: user, policy: policy) }
        guard try await failedProof(flow, user: user, option: .securityQuestions) else { return .blocked }
        var redrawn = flow
        redrawn.begin(.questions(try await draw(for: user, policy: policy)))
        return .wrong(redrawn, attemptsLeft: nil, view: view(of: redrawn, user: user, policy: policy))
    }

    /// The number a phone option calls or texts: of the contact data the policy lets a reset use
    /// (`prepopulatedForReset`, docs/behaviour.md#policy-keys).
    func phoneOnFile(for option: VerificationOption, of user: User, policy: Policy) -> PhoneNumber? {
        let data = policy.effective(for: user).resetData(user.authentication)
        return option == .officeVoice ? data.officePhone : data.resetMobilePhone
    }

    /// The code can no longer be used: the gate's options again.
    func codeUnusable(_ flow: ResetFlow, user: User, policy: Policy) -> GateStep {
        let dropped = flow.droppingChallenge()
        return .codeUnusable(dropped, view: view(of: dropped, user: user, policy: policy))
    }

    func passed(_ flow: ResetFlow, user: User, policy: Policy) -> GateStep {
        var flow = flow
        flow.pass(at: clock.now)
        let required = flow.gates(required: policy.effective(for: user).methodsRequired)
        let left = flow.hasPassedGates(required: required) ? [] : options(for: user, policy: policy, excluding: flow.usedMethods)
        return .passed(flow, options: left)
    }

    /// Whether the user may not reset from `client`: within the 24 hours that follow their fifth failed identity proof
    /// from that network or their twentieth from all (docs/security.md#malicious-lockout), or a "This wasn't me"
    /// (docs/behaviour.md#this-wasnt-me). The block belongs to the user, not to the flow that earned it, so every flow
    /// asks again at every proof and send, and before the new password or the unlock.
    func isBlocked(_ user: User, from client: String) async throws -> Bool {
        let keys = ThrottleKind.resetBlocks.map { ThrottleKey($0, user.id.uuidString) }
            + [ThrottleKey(.addressIdentityProof, ThrottleKey.subject(user: user.id, client: client))]
        return try await store.isAnyBlocked(keys, at: clock.now)
    }

    /// Ends a flow that met a block another flow earned: recorded as blocked in the report (the block itself was
    /// audited when it was earned).
    func endBlocked(_ flow: ResetFlow, user: User, option: VerificationOption) async throws -> GateStep {
        try await record(flow, user: user, detail: .blockedInvalidCodes(option))
        return .blocked
    }

    /// Counts a failed proof, from the flow's network and from all; `false` when either blocked the user (the block is
    /// recorded).
    func failedProof(_ flow: ResetFlow, user: User, option: VerificationOption) async throws -> Bool {
        let outcomes = [
            try await throttles.record(.addressIdentityProof, ThrottleKey.subject(user: user.id, client: flow.clientAddress)),
            try await throttles.record(.identityProof, user.id.uuidString),
        ]
        guard outcomes.allSatisfy({ $0.allowed && !$0.state.isBlocked(at: clock.now) }) else {
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
    func draw(for user: User, policy: Policy) async throws -> [SecurityQuestion] {
        let rule = ThrottleKind.identityProof.rule
        let failures = try await store.throttleState(ThrottleKey(.identityProof, user.id.uuidString))
            .flatMap { clock.now.timeIntervalSince($0.windowStart) < rule.window ? $0.count : nil } ?? 0
        return QuestionDraw.draw(
            from: user.authentication.securityAnswers.map(\.question), count: policy.effective(for: user).questionsToReset, round: failures,
            using: KeyedRandomStream(secret: secret, label: "questions|\(user.id.uuidString)")
        ).questions
    }
}
