import Foundation

/// Changing one's own password, knowing the current one (docs/behaviour.md#change-password): the same rules whether
/// the user chose to or sign-in required it because the password expired. Audited as "Change password
/// (self-service)"; a directory user's change is written to the directory, whose policy has the last word, and its
/// refusals are audited under the names of the writeback event log.
public struct PasswordChangeService: Sendable {
    private let store: any Store
    private let hasher: any PasswordHasher
    private let passwords: AccountPasswords
    private let signIns: SignInService
    /// Tells the user of the change, with its "This wasn't me" link (docs/behaviour.md#this-wasnt-me).
    private let reportLinks: ReportLinks
    private let clock: any WallClock

    public init(
        store: any Store, hasher: any PasswordHasher, directory: (any Directory)?, signIns: SignInService, reportLinks: ReportLinks,
        clock: any WallClock
    ) {
        self.store = store
        self.hasher = hasher
        self.passwords = AccountPasswords(hasher: hasher, directory: directory, clock: clock)
        self.signIns = signIns
        self.reportLinks = reportLinks
        self.clock = clock
    }

    public enum Outcome: Sendable, Hashable {
        case changed(User)
        /// Locked, or too many failures from the network: sign-in's own refusal, told as sign-in tells it.
        case signInRefused(SignInService.Outcome)
        /// A wrong current password (``WritebackError/incorrectPassword``) or the directory's refusal.
        case refused(WritebackError)
        case mismatch
        case rejected([PasswordRejection], PasswordRules)
    }

    /// Changes `signedIn`'s password from `current` to `new` (typed twice). Every other session ends; the one under
    /// `keepingSession` (the store's key of the session that made the change) stays.
    public func change(
        _ signedIn: User, current: String, new: String, confirm: String, policy: Policy, keepingSession: String?, requestID: String?
    ) async throws -> Outcome {
        // Sign-in's smart lockout holds here too: locked, the current password is not even checked.
        let check = try await signIns.checkCurrentPassword(current, of: signedIn)
        let user: User
        switch check {
        case .accepted(let checked): user = checked
        case .failed: return try await refused(.incorrectPassword, user: signedIn, requestID: requestID)
        case .refused(let error): return try await refused(error, user: signedIn, requestID: requestID)
        case .locked, .tooManyFromNetwork, .captchaRequired: return .signInRefused(check)
        }
        guard new == confirm else { return .mismatch }
        let engine = PasswordPolicyEngine(policy: policy)
        // Local users may not reuse their password; for directory users the directory's history decides.
        let rejections = await engine.checkChange(
            new, context: PasswordContext(givenName: user.givenName, surname: user.surname, organisationName: policy.organisationName),
            currentHash: user.passwordHash, hasher: hasher)
        guard rejections.isEmpty else { return .rejected(rejections, engine.rules) }
        var changed = user
        do {
            try await passwords.change(&changed, from: current, to: engine.rules.prepared(new))
        } catch let error as WritebackError {
            return try await refused(error, user: user, requestID: requestID)
        }
        try await store.updateUser(changed)
        // Every other session signed in with the old password ends; the one that changed it stays.
        _ = try await store.deleteSessions(userID: user.id, keeping: keepingSession)
        try await audit(changed, requestID: requestID)
        if policy.notifyUsers { await reportLinks.tell(changed, of: .passwordChanged, policy: policy) }
        return .changed(changed)
    }

    private func refused(_ error: WritebackError, user: User, requestID: String?) async throws -> Outcome {
        try await audit(user, status: .failure, failureReason: user.source == .directory ? error.eventName : nil, requestID: requestID)
        return .refused(error)
    }

    private func audit(_ user: User, status: AuditStatus = .success, failureReason: String? = nil, requestID: String?) async throws {
        try await store.appendAudit(AuditEvent(
            at: clock.now, activity: .changePassword, actor: user.userID, target: user.userID, status: status,
            failureReason: failureReason, requestID: requestID))
    }
}
