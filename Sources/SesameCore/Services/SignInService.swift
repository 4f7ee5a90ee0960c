import Foundation

/// Signing in with a password, and checking the current password before a change (docs/security.md#sign-in-lockout).
///
/// Smart lockout holds for real users; a user ID that matches no enabled account gets the very same lockout, kept
/// under a keyed digest, so that "locked" proves nothing about who exists (docs/security.md#enumeration). Every case
/// costs one password hash, one lockout read and one write. Failures also count per network, which stops one
/// address from trying many users. With a directory, every user ID also stops after a few wrong passwords in a row,
/// before the directory's own lockout could fire (``DirectoryBindLimit``, docs/security.md#directory-lockout). After a
/// few failures from one network, its sign-ins need the CAPTCHA too (docs/security.md#sign-in-captcha).
public struct SignInService: Sendable {
    private let store: any Store
    private let passwords: AccountPasswords
    private let hasher: any PasswordHasher
    private let secret: ServerSecret
    private let clock: any WallClock
    /// A real hash to verify unknown users' passwords against, so that they cost the same work as known ones.
    private let dummyHash: String
    /// `nil` without a directory: then only Sesame's own lockout applies.
    private let bindLimit: DirectoryBindLimit?
    private let throttles: Throttles
    /// `nil`: no CAPTCHA, only the lockouts (for tests of the lockouts alone).
    private let captchaGate: CaptchaGate?
    private let metrics: SesameMetrics
    /// `nil`: no sign-in with a passkey.
    private let passkeys: PasskeyService?
    /// One attempt at a time per user ID, so that the lockout counts every guess; a few at a time per network, so
    /// that its limit cannot be raced past (docs/security.md#races).
    private let users = KeyedTurns(capacity: 1)
    private let networks = KeyedTurns(capacity: 4)

    /// How long the lockout of a user ID that matches nobody is kept after its last failure.
    static let unknownLockoutLifetime: TimeInterval = 7 * 86_400

    public init(
        store: any Store, hasher: any PasswordHasher, directory: (any Directory)?, secret: ServerSecret, clock: any WallClock, dummyHash: String,
        bindLimit: DirectoryBindLimit = .standard, captchaGate: CaptchaGate? = nil, metrics: SesameMetrics = .none, passkeys: PasskeyService? = nil
    ) {
        self.store = store
        self.passkeys = passkeys
        self.captchaGate = captchaGate
        self.throttles = Throttles(store: store, clock: clock, metrics: metrics)
        self.metrics = metrics
        self.bindLimit = directory == nil ? nil : bindLimit
        self.passwords = AccountPasswords(hasher: hasher, directory: directory, clock: clock)
        self.hasher = hasher
        self.secret = secret
        self.clock = clock
        self.dummyHash = dummyHash
    }

    public enum Outcome: Sendable, Hashable {
        /// The password is right; the user (with a renewed hash, when it needed one) is saved.
        case accepted(User)
        /// A wrong password, an unknown user ID, a disabled account: one answer for all.
        case failed
        case locked(until: Date)
        /// The directory refused for another reason than the password: its own lockout, a disabled entry, unreachable.
        case refused(WritebackError)
        /// Too many failed sign-ins from this network.
        case tooManyFromNetwork
        /// A few failed sign-ins from this network: the CAPTCHA was missing or wrong, and the password was not checked.
        case captchaRequired

        /// How the metrics name it (docs/operations.md#metrics).
        var metric: SignInMetric {
            switch self {
            case .accepted: .succeeded
            case .failed: .refused
            case .locked: .locked
            case .refused: .unavailable
            case .tooManyFromNetwork, .captchaRequired: .throttled
            }
        }
    }

    /// `language`, the page's, becomes the user's on success: notices are written in it. `captcha`: the form's answer,
    /// needed once ``needsCaptcha(clientAddress:)``.
    public func signIn(
        userID typed: String, password: String, clientAddress: String, language: Language? = nil, captcha: CaptchaProof? = nil
    ) async throws -> Outcome {
        let outcome = try await attempt(userID: typed, password: password, clientAddress: clientAddress, language: language, captcha: captcha)
        metrics.signIn(outcome.metric)
        return outcome
    }

    /// Signs in with a passkey (docs/behaviour.md#passkeys): the passkey says whose it is, so no user ID is typed.
    /// No CAPTCHA and no lockout apply, since a signature cannot be guessed; a refused one counts against the network
    /// as a wrong password does, and an account that is disabled or gone, not eligible for self-service, whose policy
    /// no longer offers passkeys, or within 24 hours of a "This wasn't me" is refused the same way. `browser`: what the sign-in page's challenge was bound to (its CSRF token), so that
    /// an answer serves the browser it was made in. `refusal` says why a passkey was refused, for the log; the user
    /// sees ``Outcome/failed`` alone.
    public func signIn(
        passkey assertion: PasskeyAssertion, browser: String, clientAddress: String, requestID: String?
    ) async throws -> (outcome: Outcome, refusal: PasskeyRefusal?) {
        let network = ThrottleKey(.clientSignIn, clientAddress)
        let result = try await networks.withTurn(clientAddress) { () async throws -> (outcome: Outcome, refusal: PasskeyRefusal?) in
            if try await store.throttleState(network)?.isBlocked(at: clock.now) == true {
                metrics.throttled(.clientSignIn)
                return (.tooManyFromNetwork, nil)
            }
            let check = try await passkeys?.authenticate(assertion, for: .signIn, subject: browser, user: nil, requestID: requestID) ?? .refused(.unavailable)
            let policy = try await store.policy()?.policy ?? Policy()
            guard case .accepted(let passkey) = check, let user = try await store.user(id: passkey.userID), user.enabled,
                policy.eligibility(of: user) == .eligible, policy.effective(for: user).methods.contains(.passkey),
                try await passkeys?.isReported(user) == false
            else {
                try await countFailure(network)
                if case .refused(let refusal) = check { return (.failed, refusal) }
                return (.failed, nil)
            }
            return (.accepted(user), nil)
        }
        metrics.signIn(result.outcome.metric)
        return result
    }

    /// A sign-in the service accepted but the page refused afterwards (the directory says the account is disabled or
    /// locked, which a passkey sign-in learns only then): counted against the network as any refusal.
    public func refusedAfterwards(clientAddress: String) async throws {
        try await countFailure(ThrottleKey(.clientSignIn, clientAddress))
    }

    /// Whether sign-ins from this network must answer the CAPTCHA: 3 failures within 10 minutes ask it for 30 minutes
    /// (``ThrottleKind/signInCaptcha``).
    public func needsCaptcha(clientAddress: String) async throws -> Bool {
        guard captchaGate != nil else { return false }
        return try await store.throttleState(ThrottleKey(.signInCaptcha, clientAddress))?.isBlocked(at: clock.now) == true
    }

    private func attempt(
        userID typed: String, password: String, clientAddress: String, language: Language?, captcha: CaptchaProof?
    ) async throws -> Outcome {
        let network = ThrottleKey(.clientSignIn, clientAddress)
        return try await networks.withTurn(clientAddress) {
            if try await store.throttleState(network)?.isBlocked(at: clock.now) == true {
                metrics.throttled(.clientSignIn)
                return .tooManyFromNetwork
            }
            // Before the user is looked up: a missing or wrong answer costs no password check and counts toward no
            // lockout, so that a bot that cannot answer cannot lock anyone out either.
            if let captchaGate, try await needsCaptcha(clientAddress: clientAddress) {
                guard let captcha else { return .captchaRequired }
                switch try await captchaGate.check(captcha, clientAddress: clientAddress) {
                case .passed: break
                case .failed: return .captchaRequired
                case .tooManySums: return .tooManyFromNetwork
                }
            }
            return try await users.withTurn(typed.lowercased()) {
                guard let user = try await store.user(userID: typed), user.enabled else {
                    return try await failUnknown(typed, password: password, network: network)
                }
                let outcome = try await check(password, of: user, signedIn: false, language: language)
                if outcome == .failed { try await countFailure(network) }
                return outcome
            }
        }
    }

    /// Checks a signed-in user's current password before a change: while locked it is not even checked, and a
    /// wrong one counts toward the lockout, so that a session is no way to keep guessing.
    public func checkCurrentPassword(_ password: String, of user: User) async throws -> Outcome {
        try await users.withTurn(user.userID.lowercased()) {
            // Read again inside the turn: the record the page holds may predate a failure counted meanwhile.
            guard let current = try await store.user(id: user.id) else { return .failed }
            return try await check(password, of: current, signedIn: true, language: nil)
        }
    }

    /// `signedIn`: the user proved the password before (a change of password), so the directory's reasons may be told.
    /// `language`: the page's, kept as the user's for notices.
    private func check(_ password: String, of user: User, signedIn: Bool, language: Language?) async throws -> Outcome {
        let now = clock.now
        if let until = lockedUntil(user.lockout, at: now) { return .locked(until: until) }
        let fingerprint = fingerprint(password, subject: user.id.uuidString)
        if user.source == .directory, let bindLimit, user.lockout.skipsCheck(of: fingerprint, bindLimit, at: now) {
            return try await countWrong(fingerprint, of: user, at: now)
        }
        // Taken in the store, in one statement: instances together cannot check more than the limit
        // (docs/security.md#directory-lockout). Every user takes one, so that the hold tells no one apart.
        if let bindLimit, try await !store.claimPasswordCheck(ofUser: user.id, limit: bindLimit, now: now) {
            let held = try await store.user(id: user.id)?.lockout.heldUntil(bindLimit, at: now)
            return .locked(until: held ?? now.addingTimeInterval(bindLimit.window))
        }
        var checked = user
        switch await passwords.check(password, of: &checked, dummyHash: dummyHash) {
        case .right:
            let outcome = try await record(checked, over: user, language: language)
            if case .accepted = outcome { try await store.clearLockout(ofUser: user.id) }
            return outcome
        case .wrong:
            return try await countWrong(fingerprint, of: user, at: now)
        case .refused(let error) where !signedIn && Self.tellsTheAccountApart(error):
            // Said only to whoever proved the password: to anyone else the directory's lockout or a disabled entry
            // would tell that the account exists, so it counts and answers as a wrong password does.
            return try await countWrong(fingerprint, of: user, at: now)
        case .refused(let error):
            return .refused(error)
        }
    }

    /// What a right password taught (a renewed hash, the directory's "must change", the page's language) written onto
    /// the user as stored now, not as read before the check: an administrator's reset that landed during the check
    /// keeps its password and its mark, and the password it replaced signs no one in (docs/security.md#races).
    private func record(_ checked: User, over read: User, language: Language?) async throws -> Outcome {
        // Right against a password that is no longer the user's (or an account disabled meanwhile): refused. A hash
        // renewed meanwhile by another instance's sign-in is the same password.
        guard var current = try await store.user(id: read.id), current.enabled, current.passwordChangedAt == read.passwordChangedAt
        else { return .failed }
        var changed = false
        if checked.passwordHash != read.passwordHash, current.passwordHash == read.passwordHash {
            current.passwordHash = checked.passwordHash
            changed = true
        }
        if checked.passwordChangeRequired, !current.passwordChangeRequired {
            current.passwordChangeRequired = true
            changed = true
        }
        if let language, current.locale != language {
            current.locale = language
            changed = true
        }
        if changed { try await store.updateUser(current) }
        current.lockout.clear()
        return .accepted(current)
    }

    /// The directory's refusals that only an existing account can earn.
    static func tellsTheAccountApart(_ error: WritebackError) -> Bool {
        switch error {
        case .accountLocked, .accountDisabled, .userNotFound: true
        default: false
        }
    }

    private func countWrong(_ fingerprint: String, of user: User, at now: Date) async throws -> Outcome {
        var lockout = user.lockout
        lockout.recordFailure(fingerprint: fingerprint, at: now, limit: bindLimit ?? .standard)
        try await store.updateLockout(lockout, ofUser: user.id)
        return .failed
    }

    /// The same steps as a real user's wrong password, on the lockout kept for the typed user ID.
    private func failUnknown(_ typed: String, password: String, network: ThrottleKey) async throws -> Outcome {
        let now = clock.now
        let subject = secret.mac("signin.unknown|\(typed.lowercased())").hex
        var lockout = try await store.lockout(subject: subject, now: now) ?? SignInLockout()
        if let until = lockedUntil(lockout, at: now) { return .locked(until: until) }
        _ = await hasher.verify(password, against: dummyHash)
        lockout.recordFailure(fingerprint: fingerprint(password, subject: subject), at: now, limit: bindLimit ?? .standard)
        try await store.saveLockout(lockout, subject: subject, expiresAt: now.addingTimeInterval(Self.unknownLockoutLifetime))
        try await countFailure(network)
        return .failed
    }

    /// Sesame's lockout, or with a directory the end of a streak, whichever ends later: the same for every user ID.
    private func lockedUntil(_ lockout: SignInLockout, at now: Date) -> Date? {
        let locked = lockout.isLocked(at: now) ? lockout.lockedUntil : nil
        let held = bindLimit.flatMap { lockout.heldUntil($0, at: now) }
        return [locked, held].compactMap(\.self).max()
    }

    /// Counts toward the network's limit and toward its CAPTCHA.
    private func countFailure(_ network: ThrottleKey) async throws {
        _ = try await throttles.record(network.kind, network.subject)
        _ = try await throttles.record(.signInCaptcha, network.subject)
    }

    /// A keyed digest of a wrong password: smart lockout compares these, and the password itself is never kept.
    private func fingerprint(_ password: String, subject: String) -> String {
        secret.mac("signin.wrong|\(subject)|\(password)").prefix(12).hex
    }
}
