import Foundation
import SesameCore

/// Changing one's own password, knowing the current one (docs/behaviour.md#change-password): the same rules whether the
/// user chose to or sign-in required it because the password expired. Audited as "Change password (self-service)".
struct PasswordChange {
    let pages: Pages
    let signIns: SignInService

    /// Changes `user`'s password from the posted form, or returns the messages to show. A directory user's change is
    /// written to the directory, whose policy has the last word; its refusals are audited under the names of the
    /// writeback event log.
    func apply(_ form: FormData, to signedIn: User, context: WebContext) async throws -> [String] {
        let current = form["current"] ?? ""
        let new = form["new"] ?? ""
        // Sign-in's smart lockout holds here too: locked, the current password is not even checked.
        let check = try await signIns.checkCurrentPassword(current, of: signedIn)
        let user: User
        switch check {
        case .accepted(let checked): user = checked
        case .failed: return try await refused(.incorrectPassword, user: signedIn, context: context)
        case .refused(let error): return try await refused(error, user: signedIn, context: context)
        case .locked, .tooManyFromNetwork: return [pages.signInRefusal(check, context)?.message ?? pages.text("signin.failed", context)]
        }
        guard new == form["confirm"] else { return [pages.text("change.mismatch", context)] }
        let policy = try await pages.policy()
        let engine = PasswordPolicyEngine(policy: policy)
        // Local users may not reuse their password; for directory users the directory's history decides
        // (docs/behaviour.md#change-password).
        let rejections = await engine.checkChange(
            new, context: PasswordContext(givenName: user.givenName, surname: user.surname, organisationName: policy.organisationName),
            currentHash: user.passwordHash, hasher: pages.dependencies.hasher)
        guard rejections.isEmpty else { return rejections.map { pages.text($0.message(rules: engine.rules), context) } }
        var changed = user
        do {
            try await pages.passwords.change(&changed, from: current, to: new)
        } catch let error as WritebackError {
            return try await refused(error, user: user, context: context)
        }
        try await pages.store.updateUser(changed)
        if changed.source == .directory {
            // The session's own change is no reason to end it: it watches the new password from now on. Should the
            // directory not answer now, the next check ends the session instead (docs/security.md#sessions-and-the-directory).
            let watch = try? await pages.directorySessions.watch(userID: changed.userID)
            if let watch { context.session?.update { $0.directory = watch } }
        }
        // Every other session signed in with the old password ends; the one that changed it stays.
        _ = try await pages.store.deleteSessions(userID: user.id, keeping: context.session.map { SessionMiddleware.digest($0.key) })
        try await pages.audit(.changePassword, user: changed, context: context)
        return []
    }

    private func refused(_ error: WritebackError, user: User, context: WebContext) async throws -> [String] {
        let reason = user.source == .directory ? error.eventName : nil
        try await pages.audit(.changePassword, user: user, status: .failure, failureReason: reason, context: context)
        return [pages.text(error.message, context)]
    }
}
