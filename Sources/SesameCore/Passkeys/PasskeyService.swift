import Foundation

/// Passkeys (docs/behaviour.md#passkeys, docs/security.md#passkeys): the options a page hands the browser, a new
/// passkey checked and kept, an assertion checked against the passkey it names, and a passkey removed. The
/// ceremonies' own checks are ``PasskeyRelyingParty``'s; this adds what it leaves to its callers: challenges this
/// server made for this ceremony and subject, answered once; the passkey's owner; the counter kept by
/// compare-and-set, so that two instances cannot both accept one counter value.
public struct PasskeyService: Sendable {
    private let store: any Store
    private let secret: ServerSecret
    private let clock: any WallClock
    private let random: any RandomSource
    /// `nil` when `SESAME_PUBLIC_URL` names no host a browser would accept: then passkeys are not offered.
    public let relyingParty: PasskeyRelyingParty?
    private let reportLinks: ReportLinks
    private let policies: PolicyCache

    public init(
        store: any Store, secret: ServerSecret, clock: any WallClock, random: any RandomSource, relyingParty: PasskeyRelyingParty?,
        reportLinks: ReportLinks, policies: PolicyCache
    ) {
        self.store = store
        self.secret = secret
        self.clock = clock
        self.random = random
        self.relyingParty = relyingParty
        self.reportLinks = reportLinks
        self.policies = policies
    }

    /// Whether this installation can use passkeys at all.
    public var isAvailable: Bool { relyingParty != nil }

    public func passkeys(of user: User) async throws -> [Passkey] {
        try await store.passkeys(userID: user.id)
    }

    // MARK: Registration

    /// The options for adding a passkey to `user`'s account.
    public func creationOptions(for user: User) async throws -> PasskeyCreationOptions? {
        guard let relyingParty else { return nil }
        let challenge = PasskeyChallenge(for: .registration, subject: user.id.uuidString, at: clock.now, secret: secret, random: random)
        return PasskeyCreationOptions(
            challenge: challenge.base64URL, rp: .init(id: relyingParty.id, name: try await policies.policy().organisationName),
            user: .init(id: user.id.handle.base64URL, name: user.userID, displayName: user.displayName.isEmpty ? user.userID : user.displayName),
            excludeCredentials: try await store.passkeys(userID: user.id).map(CredentialDescriptor.init))
    }

    /// Checks a new passkey and keeps it under `name`; the user is told of it by email, with "This wasn't me"
    /// (docs/behaviour.md#notices), and the registration activity is written.
    public func register(_ attestation: PasskeyAttestation, name typed: String, for user: User, requestID: String?) async throws -> PasskeyRegistration {
        guard let relyingParty else { return .refused(.unavailable) }
        let name = PrintableText.escaping(typed.trimmingWhiteSpaceAndNewlines())
        // Counted in scalars: a letter with thousands of combining marks is one character.
        guard (1...Passkey.maximumNameLength).contains(name.unicodeScalars.count) else { return .refused(.name) }
        guard try await store.passkeys(userID: user.id).count < Passkey.maximumPerUser else { return .refused(.tooMany) }
        let registration: PasskeyRelyingParty.Registration
        do {
            let challenge = try await claim(attestation.clientDataJSON, for: .registration, subject: user.id.uuidString)
            registration = try relyingParty.register(
                attestationObject: attestation.attestationObject, clientDataJSON: attestation.clientDataJSON, challenge: challenge.bytes)
        } catch let error as PasskeyError {
            return .refused(.notAccepted(error))
        }
        guard (Passkey.minimumCredentialIDLength...Passkey.maximumCredentialIDLength).contains(registration.credentialID.count) else {
            return .refused(.notAccepted(.malformed("credential ID of \(registration.credentialID.count) bytes")))
        }
        // A "This wasn't me" may have landed since this request's step-up was checked: what it swept must not
        // come back by a registration already under way.
        if try await isReported(user) { return .refused(.notAccepted(.wrongChallenge)) }
        let now = clock.now
        let passkey = Passkey(
            id: UUID(), userID: user.id, credentialID: registration.credentialID, publicKeyCOSE: registration.publicKeyCOSE,
            algorithm: registration.algorithm, signCount: registration.signCount, backupEligible: registration.backupEligible,
            backedUp: registration.backedUp, name: name, createdAt: now)
        do {
            try await store.insertPasskey(passkey)
        } catch StoreError.conflict {
            // Registered already (excludeCredentials keeps honest browsers from this), or a race past the maximum.
            return .refused(.alreadyRegistered)
        }
        try await store.appendRegistrationActivity(RegistrationActivity(at: now, userID: user.userID, role: user.reportRole, dataRegistered: .passkey))
        try await store.appendAudit(AuditEvent(
            at: now, activity: .passkeyRegistered, actor: user.userID, target: user.userID, detail: name, requestID: requestID))
        // A new way to prove who one is: whoever held the session for a moment must not plant it unnoticed.
        // "This wasn't me" removes it (docs/behaviour.md#this-wasnt-me).
        await reportLinks.tell(user, of: .passkeyRegistered, subject: passkey.id.uuidString, policy: try await policies.policy())
        return .registered(passkey)
    }

    // MARK: Assertions

    /// The options for proving who one is with a passkey: of `user`'s passkeys at a gate, of any at sign-in.
    public func requestOptions(for ceremony: PasskeyChallenge.Ceremony, subject: String, user: User?) async throws -> PasskeyRequestOptions? {
        guard let relyingParty else { return nil }
        let challenge = PasskeyChallenge(for: ceremony, subject: subject, at: clock.now, secret: secret, random: random)
        var allowed: [CredentialDescriptor] = []
        if let user { allowed = try await store.passkeys(userID: user.id).map(CredentialDescriptor.init) }
        return PasskeyRequestOptions(challenge: challenge.base64URL, rpId: relyingParty.id, allowCredentials: allowed)
    }

    /// Checks an assertion made for `ceremony` of `subject`, by a passkey of `user` when one is named; the accepted
    /// passkey has its counter, backup state and last use stored. A counter that went back is audited: the passkey
    /// may have been copied (docs/security.md#passkeys).
    public func authenticate(
        _ assertion: PasskeyAssertion, for ceremony: PasskeyChallenge.Ceremony, subject: String, user expected: UUID?, requestID: String?
    ) async throws -> PasskeyCheck {
        guard let relyingParty else { return .refused(.unavailable) }
        let challenge: PasskeyChallenge
        do {
            challenge = try await claim(assertion.clientDataJSON, for: ceremony, subject: subject)
        } catch let error as PasskeyError {
            return .refused(.notAccepted(error))
        }
        guard let passkey = try await store.passkey(credentialID: assertion.credentialID) else { return .refused(.unknownPasskey) }
        // The passkey must be the named user's; at sign-in, where nobody was named, the authenticator must say whose
        // it is, and say its owner (WebAuthn L3 §7.2 step 6).
        let owner = expected.map { $0 == passkey.userID } ?? (assertion.userHandle == passkey.userID.handle)
        guard owner, assertion.userHandle.map({ $0 == passkey.userID.handle }) ?? true else { return .refused(.unknownPasskey) }
        let checked: PasskeyRelyingParty.Assertion
        do {
            checked = try relyingParty.authenticate(
                authenticatorData: assertion.authenticatorData, clientDataJSON: assertion.clientDataJSON, signature: assertion.signature,
                challenge: challenge.bytes, publicKeyCOSE: passkey.publicKeyCOSE, storedSignCount: passkey.signCount,
                storedBackupEligible: passkey.backupEligible)
        } catch {
            if error == .counterWentBack { try await auditCounter(of: passkey, requestID: requestID) }
            return .refused(.notAccepted(error))
        }
        let now = clock.now
        guard try await store.recordPasskeyUse(
            id: passkey.id, expected: passkey.signCount, signCount: checked.signCount, backedUp: checked.backedUp, at: now)
        else {
            // Another use of this passkey was stored since it was read: its counter is no longer the one checked.
            return .refused(.notAccepted(.counterWentBack))
        }
        var used = passkey
        used.signCount = checked.signCount
        used.backedUp = checked.backedUp
        used.lastUsedAt = now
        return .accepted(used)
    }

    // MARK: Removal

    /// Removes one of `user`'s passkeys, by the user or an administrator (`actor`), and ends the user's sessions but
    /// `keepingSession` (the user's own browser): one of them may have been signed in with it. `false` when the user
    /// has none by that ID.
    public func remove(_ id: UUID, of user: User, by actor: String, keepingSession: String?, requestID: String?) async throws -> Bool {
        try await remove(of: user, where: { $0.id == id }, by: actor, keepingSession: keepingSession, requestID: requestID) > 0
    }

    /// Removes every passkey of `user` (an administrator's "Remove passkeys") and ends all their sessions; how many
    /// went.
    public func removeAll(of user: User, by actor: String, requestID: String?) async throws -> Int {
        try await remove(of: user, where: { _ in true }, by: actor, keepingSession: nil, requestID: requestID)
    }

    private func remove(
        of user: User, where which: (Passkey) -> Bool, by actor: String, keepingSession: String?, requestID: String?
    ) async throws -> Int {
        let removed = try await store.removePasskeys(of: user, where: which, by: actor, at: clock.now, requestID: requestID)
        if removed > 0 { _ = try await store.deleteSessions(userID: user.id, keeping: keepingSession) }
        return removed
    }

    // MARK: Helpers

    /// Whether the user said "This wasn't me" within the last 24 hours (docs/behaviour.md#this-wasnt-me): passkeys
    /// neither sign in nor are added then.
    public func isReported(_ user: User) async throws -> Bool {
        try await store.throttleState(ThrottleKey(.reportedEvent, user.id.uuidString))?.isBlocked(at: clock.now) == true
    }

    /// The challenge `clientDataJSON` answers, when this server made it for `ceremony` of `subject` within its
    /// lifetime; it is spent here, before any other check, so that one challenge gets one try.
    private func claim(_ clientDataJSON: [UInt8], for ceremony: PasskeyChallenge.Ceremony, subject: String) async throws -> PasskeyChallenge {
        let client = try ClientData(json: clientDataJSON)
        guard let challenge = PasskeyChallenge(answered: client.challenge, for: ceremony, subject: subject, at: clock.now, secret: secret),
            try await store.claimPasskeyChallenge(mac: challenge.usedMAC(secret: secret), expiresAt: challenge.issuedAt + PasskeyChallenge.lifetime)
        else { throw PasskeyError.wrongChallenge }
        return challenge
    }

    private func auditCounter(of passkey: Passkey, requestID: String?) async throws {
        let owner = try await store.user(id: passkey.userID)?.userID ?? passkey.userID.uuidString
        try await store.appendAudit(AuditEvent(
            at: clock.now, activity: .passkeyCounterWentBack, actor: "anonymous", target: owner, status: .failure, detail: passkey.name,
            failureReason: "counter went back: the passkey may have been copied", requestID: requestID))
    }
}

/// How adding a passkey ended.
public enum PasskeyRegistration: Sendable, Hashable {
    case registered(Passkey)
    case refused(PasskeyRefusal)
}

/// How checking an assertion ended.
public enum PasskeyCheck: Sendable, Hashable {
    case accepted(Passkey)
    case refused(PasskeyRefusal)
}

/// Why a passkey was not accepted: the log and the audit say which; a person is told only that it was not
/// (`passkey.notAccepted`), or what they can act on.
public enum PasskeyRefusal: Error, Sendable, Hashable {
    /// ``PasskeyRelyingParty`` refused it, or its challenge is not one this server made, or was answered before.
    case notAccepted(PasskeyError)
    /// No passkey has this credential ID, or not the expected user's.
    case unknownPasskey
    /// The name is empty or longer than ``Passkey/maximumNameLength``.
    case name
    /// The user has ``Passkey/maximumPerUser`` already.
    case tooMany
    case alreadyRegistered
    /// `SESAME_PUBLIC_URL` names no relying party.
    case unavailable

    /// Whether it is a failed identity proof at a gate: everything but a challenge that is not this flow's (an old
    /// page, another flow's), which spends nothing and is never a browser's mistake but for a page left open.
    public var countsAsFailedProof: Bool {
        switch self {
        case .notAccepted(.wrongChallenge), .unavailable, .name, .tooMany, .alreadyRegistered: false
        case .notAccepted, .unknownPasskey: true
        }
    }

    /// The catalogue key of what the person is told.
    public var messageKey: String {
        switch self {
        case .notAccepted, .unknownPasskey: "passkey.notAccepted"
        case .name: "passkey.name"
        case .tooMany: "passkey.tooMany"
        case .alreadyRegistered: "passkey.alreadyRegistered"
        case .unavailable: "passkey.unavailable"
        }
    }
}

extension UUID {
    /// The WebAuthn user handle: the user's UUID, 16 bytes that name nobody (a time-ordered one tells when the account
    /// was made, docs/scale.md#time-ordered-ids).
    var handle: [UInt8] { withUnsafeBytes(of: uuid) { Array($0) } }
}
