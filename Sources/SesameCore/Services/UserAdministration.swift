import Foundation

/// What administrators do to users, from any front end (command line, admin portal, JSON API); each action is audited.
public struct UserAdministration: Sendable {
    private let store: any Store
    private let hasher: any PasswordHasher
    private let clock: any WallClock
    private let outbox: any Outbox
    private let reportLinks: ReportLinks
    private let passwords: AccountPasswords

    /// - Parameters:
    ///   - outbox: where notices of changed contact data go (a command-line change is queued in the store, and the
    ///     running server sends it).
    ///   - reportLinks: the notices' "This wasn't me" links (docs/behaviour.md#this-wasnt-me).
    ///   - directory: where directory users' passwords are reset and their accounts unlocked.
    public init(
        store: any Store, hasher: any PasswordHasher, clock: any WallClock, outbox: any Outbox, reportLinks: ReportLinks,
        directory: (any Directory)? = nil
    ) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
        self.outbox = outbox
        self.reportLinks = reportLinks
        self.passwords = AccountPasswords(hasher: hasher, directory: directory, clock: clock)
    }

    /// Creates a local user. The password, when given, must pass the password policy.
    @discardableResult
    /// - Parameter initialPasswordStays: the operator's own `sesame user add` (the bootstrap of the first
    ///   administrator, and the accounts a script provisions): its password need not be changed at the first
    ///   sign-in. Every other creation with a password — the portal, the API, an import row — marks it, as ASVS 5.0
    ///   6.4.1 asks of initial passwords (docs/behaviour.md#administrator-set-passwords).
    public func add(_ draft: UserDraft, actor: String, initialPasswordStays: Bool = false) async throws -> User {
        let user = try await newUser(draft, policy: try await currentPolicy(), initialPasswordStays: initialPasswordStays)
        try await store.insertUser(user)
        try await store.appendAudit(createdEvent(user, actor: actor))
        return user
    }

    /// The user a draft describes, checked and with its password hashed, not yet stored: what ``add(_:actor:initialPasswordStays:)``
    /// inserts, and what an import inserts a few thousand at a time (docs/scale.md#batches).
    public func newUser(_ draft: UserDraft, policy: Policy, initialPasswordStays: Bool) async throws -> User {
        let userID: String
        do {
            userID = try UserPrincipalName.validate(draft.userID)
        } catch {
            throw error.on("userID")
        }
        var user = User(userID: userID, createdAt: clock.now)
        try draft.apply(to: &user, policy: policy)
        if let password = draft.password {
            user.passwordHash = try await hasher.hash(try checkPassword(password, for: user, policy: policy))
            user.passwordChangedAt = clock.now
            user.passwordChangeRequired = !initialPasswordStays
        }
        return user
    }

    /// The audit event of a user's creation.
    public func createdEvent(_ user: User, actor: String) -> AuditEvent {
        AuditEvent(at: clock.now, activity: .userCreated, actor: actor, target: user.userID)
    }

    /// Changes the fields a draft sets on an existing user (pre-populated contact data, names, groups, roles). A new
    /// password, disabling or a change of roles ends every session the user has.
    @discardableResult
    public func update(_ draft: UserDraft, actor: String) async throws -> User {
        let policy = try await currentPolicy()
        var user = try await existing(draft.userID)
        let previous = user
        let before = user.authentication
        try draft.apply(to: &user, policy: policy)
        if let password = draft.password {
            try await passwords.reset(&user, to: try checkPassword(password, for: user, policy: policy), byAdministrator: true)
        }
        try await store.updateUser(user)
        if draft.password != nil {
            // As any reset: the account unlocks and the user's blocks are forgotten (the API and imports set passwords here).
            try await store.clearLockout(ofUser: user.id)
            try await store.clearThrottles(subject: user.id.uuidString, kinds: ThrottleKind.perUser)
        }
        if draft.password != nil || (previous.enabled && !user.enabled) || previous.roles != user.roles {
            _ = try await store.deleteSessions(userID: user.id, keeping: nil)
            // A pass issued for the account as it was must not serve it now (docs/behaviour.md#temporary-access-pass).
            try await store.deleteAccessPass(ofUser: user.id)
        }
        try await audit(.userUpdated, actor: actor, target: user.userID)
        for notice in try await reportLinks.notices(
            of: ContactChange(before: before, after: user.authentication), user: user, policy: policy,
            language: user.locale ?? policy.defaultLanguage) {
            try await outbox.post(notice)
        }
        if draft.password != nil { try await audit(.adminResetPassword, actor: actor, target: user.userID) }
        return user
    }

    /// Sets a new password for a user ("Reset password (by admin)"), in the directory for a directory user. A reset
    /// also unlocks and clears throttles. Refusals are audited and thrown: ``ValidationError`` for Sesame's policy,
    /// ``WritebackError`` for the directory's.
    public func resetPassword(userID: String, to password: String, actor: String) async throws {
        let policy = try await currentPolicy()
        var user = try await existing(userID)
        do {
            try await passwords.reset(&user, to: try checkPassword(password, for: user, policy: policy), byAdministrator: true)
        } catch let error as ValidationError {
            try await audit(.adminResetPassword, actor: actor, target: user.userID, status: .failure, reason: error.message.key)
            throw error
        } catch let error as WritebackError {
            try await audit(.adminResetPassword, actor: actor, target: user.userID, status: .failure, reason: error.eventName)
            throw error
        }
        try await store.updateUser(user)
        try await store.clearLockout(ofUser: user.id)
        // Whoever signed in with the old password is signed out, the user included, and a pass has done its work.
        _ = try await store.deleteSessions(userID: user.id, keeping: nil)
        try await store.deleteAccessPass(ofUser: user.id)
        try await store.clearThrottles(subject: user.id.uuidString, kinds: ThrottleKind.perUser)
        try await audit(.adminResetPassword, actor: actor, target: user.userID)
    }

    /// Clears a user's sign-in lockout, and the directory's ("Unlock user account (by admin)").
    public func unlock(userID: String, actor: String) async throws {
        var user = try await existing(userID)
        do {
            try await passwords.unlock(&user)
        } catch {
            try await audit(.adminUnlock, actor: actor, target: user.userID, status: .failure, reason: error.eventName)
            throw error
        }
        try await store.updateUser(user)
        try await store.clearLockout(ofUser: user.id)
        try await audit(.adminUnlock, actor: actor, target: user.userID)
    }

    /// Ends every session of a user ("Sign out user everywhere (by admin)"); how many ended. Whoever may do it is
    /// ``AdminAction/endSessions``, checked by each front end.
    public func endSessions(userID: String, actor: String) async throws -> Int {
        let user = try await existing(userID)
        let ended = try await store.deleteSessions(userID: user.id, keeping: nil)
        try await audit(.adminEndedSessions, actor: actor, target: user.userID, detail: "\(ended) session(s)")
        return ended
    }

    /// Deletes a user and what Sesame keeps about them (a directory user's entry in the directory stays).
    public func delete(userID: String, actor: String) async throws {
        let user = try await existing(userID)
        try await store.deleteUser(id: user.id)
        _ = try await store.deleteSessions(userID: user.id, keeping: nil)
        try await audit(.userDeleted, actor: actor, target: user.userID)
    }

    /// Asks the user to register again at their next sign-in ("require re-registration"); what they registered
    /// stays usable until they do.
    public func requireRegistration(userID: String, actor: String) async throws {
        var user = try await existing(userID)
        user.registration = RegistrationState()
        try await store.updateUser(user)
        try await audit(.userUpdated, actor: actor, target: user.userID, detail: "registration required")
    }

    /// Removes the user's authenticator app (a lost phone): the method no longer serves a reset until the user
    /// registers one again.
    public func removeAuthenticator(userID: String, actor: String) async throws {
        var user = try await existing(userID)
        user.authentication.sealedAuthenticatorSecret = nil
        try await store.updateUser(user)
        try await audit(.userUpdated, actor: actor, target: user.userID, detail: "authenticator app removed")
    }

    /// Voids every recovery code of the user (audited), for a lost or stolen sheet (docs/behaviour.md#recovery-codes).
    public func voidRecoveryCodes(userID: String, actor: String, requestID: String? = nil) async throws {
        let user = try await existing(userID)
        try await store.replaceRecoveryCodes(userID: user.id, with: [])
        try await store.appendAudit(AuditEvent(at: clock.now, activity: .recoveryCodesVoided, actor: actor, target: user.userID, requestID: requestID))
    }

    /// A user by user ID, or ``AdministrationError/unknownUser(_:)``.
    public func existing(_ userID: String) async throws -> User {
        guard let user = try await store.user(userID: userID) else { throw AdministrationError.unknownUser(userID) }
        return user
    }

    public func currentPolicy() async throws -> Policy {
        try await store.policy()?.policy ?? Policy()
    }

    /// The password as it is to be hashed or written back (``PasswordRules/prepared(_:)``), once it passed the policy.
    private func checkPassword(_ password: String, for user: User, policy: Policy) throws(ValidationError) -> String {
        let engine = PasswordPolicyEngine(policy: policy)
        let context = PasswordContext(givenName: user.givenName, surname: user.surname, organisationName: policy.organisationName)
        if let first = engine.check(password, context: context).first {
            throw ValidationError(first.message(rules: engine.rules).key, first.message(rules: engine.rules).arguments, field: "password")
        }
        return engine.rules.prepared(password)
    }

    private func audit(
        _ activity: AuditActivity, actor: String, target: String, status: AuditStatus = .success, reason: String? = nil,
        detail: String = ""
    ) async throws {
        try await store.appendAudit(AuditEvent(
            at: clock.now, activity: activity, actor: actor, target: target, status: status, detail: detail, failureReason: reason))
    }
}

public enum AdministrationError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownUser(String)

    public var description: String {
        switch self {
        case .unknownUser(let id): "no user with user ID \(id)"
        }
    }
}
