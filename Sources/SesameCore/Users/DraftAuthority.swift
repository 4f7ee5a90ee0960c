extension AdminAuthority {
    /// Why `actor` may not apply `draft` to `target` (`nil`: the draft creates a new user), or `nil` when every change
    /// the draft makes is allowed. The rules are the admin portal's, field by field, so that a CSV row can do no more
    /// than the edit, role and reset forms would let the same administrator do to the same user.
    public static func refusal(toApply draft: UserDraft, by actor: User, on target: User?) -> LocalizedText? {
        refusal(toApply: draft, by: actor.roles, on: target)
    }

    /// The same, for whoever holds `roles` (an API token, by its scope).
    public static func refusal(toApply draft: UserDraft, by actor: Set<Role>, on target: User?) -> LocalizedText? {
        let userID = ["userID": target?.userID ?? draft.userID]
        guard allows(actor, .importUsers, on: target) else { return LocalizedText("import.refused.edit", userID) }
        let edits = draft.displayName != nil || draft.givenName != nil || draft.surname != nil || draft.mobilePhone != nil
            || draft.officePhone != nil || draft.alternateEmail != nil || draft.groups != nil || draft.enabled != nil
        if edits, !allows(actor, .edit, on: target) { return LocalizedText("import.refused.edit", userID) }
        // Leaving roles as they are is no grant, as on the edit form (a row may repeat a user's current roles).
        if let roles = draft.roles, roles != (target?.roles ?? []), !allows(actor, .setRoles(roles), on: target) {
            return LocalizedText("import.refused.roles", userID)
        }
        if draft.password != nil, target != nil, !allows(actor, .resetPassword, on: target) {
            return LocalizedText("import.refused.password", userID)
        }
        return nil
    }
}
