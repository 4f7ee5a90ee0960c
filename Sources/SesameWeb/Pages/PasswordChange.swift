import Foundation
import SesameCore

/// Changing one's own password, knowing the current one (spec §2.5): the same rules whether the user chose to or
/// sign-in required it because the password expired. Audited as "Change password (self-service)".
struct PasswordChange {
    let pages: Pages

    /// Changes `user`'s password from the posted form, or returns the messages to show.
    func apply(_ form: FormData, to user: User, context: WebContext) async throws -> [String] {
        let hasher = pages.dependencies.hasher
        let new = form["new"] ?? ""
        guard await hasher.verify(form["current"] ?? "", against: user.passwordHash ?? pages.dummyHash), user.passwordHash != nil else {
            try await pages.audit(.changePassword, user: user, status: .failure, context: context)
            return [pages.text("change.wrongCurrent", context)]
        }
        guard new == form["confirm"] else { return [pages.text("change.mismatch", context)] }
        let policy = try await pages.policy()
        let engine = PasswordPolicyEngine(policy: policy)
        let rejections = await engine.checkChange(
            new, context: PasswordContext(givenName: user.givenName, surname: user.surname, organisationName: policy.organisationName),
            currentHash: user.passwordHash, hasher: hasher)
        guard rejections.isEmpty else { return rejections.map { pages.text($0.message(rules: engine.rules), context) } }
        var changed = user
        changed.passwordHash = try await hasher.hash(new)
        changed.passwordChangedAt = pages.clock.now
        try await pages.store.updateUser(changed)
        try await pages.audit(.changePassword, user: changed, context: context)
        return []
    }
}
