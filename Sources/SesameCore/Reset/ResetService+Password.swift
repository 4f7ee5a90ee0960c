import Foundation

/// The end of a verified flow: the new password or an unlock, and the notices
/// (docs/behaviour.md#new-password-or-unlock).
extension ResetService {
    /// Whether every required gate is passed; by a temporary access pass only while it is still the user's, so that
    /// revoking it stops a reset it already let through (docs/behaviour.md#temporary-access-pass). A step-up's one
    /// gate never opens the new password (docs/behaviour.md#step-up).
    func isVerified(_ flow: ResetFlow, user: User, policy: Policy) async throws -> Bool {
        guard !flow.isStepUp else { return false }
        return try await hasPassedGates(flow, user: user, policy: policy)
    }

    /// Whether `flow` passed the gates it needs, by a pass only while it is still the user's.
    func hasPassedGates(_ flow: ResetFlow, user: User, policy: Policy) async throws -> Bool {
        guard flow.hasPassedGates(required: flow.gates(required: policy.effective(for: user).methodsRequired)) else { return false }
        guard let passID = flow.accessPassID else { return true }
        return try await accessPasses.isCurrent(passID, of: user)
    }

    /// What the page after the gates offers. "Unlock only" is looked up (in the directory, for a directory user) only
    /// when `offeringUnlock`.
    public func passwordChoice(for flow: ResetFlow, offeringUnlock: Bool) async throws -> PasswordChoice {
        let (user, policy) = try await context(of: flow)
        guard try await isVerified(flow, user: user, policy: policy) else { return .gatesLeft }
        guard offeringUnlock, await mayUnlockOnly(user, policy: policy) else { return .newPassword }
        return .unlockOrNewPassword
    }

    /// Sets the new password once every gate is passed. A reset may reuse the current password
    /// (docs/behaviour.md#new-password-or-unlock), always unlocks, and clears the user's throttles. A directory user's
    /// password must pass Sesame's policy and then the directory's, and the reset is done only once the directory
    /// confirmed it. `language`, the page's, becomes the user's: notices (this one's included) are written in it.
    public func setPassword(_ password: String, in flow: ResetFlow, language: Language? = nil, requestID: String? = nil) async throws -> PasswordStep {
        guard !flow.hasExpired(at: clock.now) else { return .expired }
        var (user, policy) = try await context(of: flow)
        guard try await isVerified(flow, user: user, policy: policy) else { return .rejected([]) }
        // Gates passed before a block prove nothing after it (docs/behaviour.md#this-wasnt-me).
        if try await isBlocked(user, from: flow.clientAddress) { return .blocked }
        let engine = PasswordPolicyEngine(policy: policy)
        let rejections = engine.check(password, context: PasswordContext(givenName: user.givenName, surname: user.surname, organisationName: policy.organisationName))
        guard rejections.isEmpty else { return .rejected(rejections) }
        do {
            try await passwords.reset(&user, to: engine.rules.prepared(password), byAdministrator: false)
        } catch let error as WritebackError {
            return try await refused(error, flow: flow, user: user, activity: .selfServiceResetPassword, requestID: requestID)
        }
        if let language { user.locale = language }
        try await complete(flow, user: user, activity: .selfServiceResetPassword, detail: .succeeded, requestID: requestID)
        // The pass served its reset; a reusable one must not outlive it in a ticket or a chat.
        if flow.accessPassID != nil { try await accessPasses.discard(of: user) }
        // A reset is what a user does when someone else may know the password: whoever signed in with it is out.
        _ = try await store.deleteSessions(userID: user.id, keeping: nil)
        await notify(after: user, policy: policy)
        return .done
    }

    /// The reset notices (docs/behaviour.md#notices), queued: the page does not wait for them, and one that cannot be
    /// queued does not undo the reset.
    func notify(after user: User, policy: Policy) async {
        if policy.notifyUsers { await reportLinks.tell(user, of: .passwordReset, policy: policy) }
        guard policy.notifyAdmins, user.isPrivileged,
            let admins = try? await store.users(withRole: .globalAdmin, limit: 100)
        else { return }
        for admin in admins where admin.id != user.id {
            guard let address = admin.noticeAddress else { continue }
            try? await outbox.post(MessageComposer.adminResetNotice(
                to: address, admin: user.userID, organisation: policy.organisationName, language: admin.locale ?? policy.defaultLanguage))
        }
    }

    /// Whether the verified user may choose "unlock only" (docs/behaviour.md#new-password-or-unlock): the account is
    /// locked and the policy allows it.
    func mayUnlockOnly(_ user: User, policy: Policy) async -> Bool {
        guard policy.allowUnlock else { return false }
        return await passwords.isLocked(user)
    }

    /// Unlocks without changing the password ("Unlock user account (self-service)").
    public func unlock(_ flow: ResetFlow, requestID: String? = nil) async throws -> PasswordStep {
        guard !flow.hasExpired(at: clock.now) else { return .expired }
        var (user, policy) = try await context(of: flow)
        guard try await isVerified(flow, user: user, policy: policy), await mayUnlockOnly(user, policy: policy) else { return .rejected([]) }
        if try await isBlocked(user, from: flow.clientAddress) { return .blocked }
        do {
            try await passwords.unlock(&user)
        } catch {
            return try await refused(error, flow: flow, user: user, activity: .selfServiceUnlock, requestID: requestID)
        }
        try await complete(flow, user: user, activity: .selfServiceUnlock, detail: .unlocked, requestID: requestID)
        if flow.accessPassID != nil { try await accessPasses.discard(of: user) }
        if policy.notifyUsers { await reportLinks.tell(user, of: .unlocked, policy: policy) }
        return .done
    }

    /// The directory refused: audited with its writeback error name. A password its policy refused may be retried;
    /// anything else ends the flow and is recorded in the reset activity report.
    func refused(
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
    func complete(_ flow: ResetFlow, user: User, activity: AuditActivity, detail: ResetDetail, requestID: String?) async throws {
        var user = user
        user.lockout.clear()
        try await store.updateUser(user)
        try await store.clearLockout(ofUser: user.id)
        try await store.clearThrottles(subject: user.id.uuidString, kinds: ThrottleKind.clearedBySelfServiceReset)
        try await store.appendAudit(AuditEvent(at: clock.now, activity: activity, actor: user.userID, target: user.userID, requestID: requestID))
        try await record(flow, user: user, detail: detail, requestID: requestID)
    }
}
