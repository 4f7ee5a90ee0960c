/// Audit activities, named as in Entra's "Self-service Password Management" audit category, plus Sesame's own
/// administration activities at the end (docs/behaviour.md#reports-and-audit).
public enum AuditActivity: String, Sendable, Hashable, Codable, CaseIterable {
    case blocked = "Blocked from self-service password reset"
    case changePassword = "Change password (self-service)"
    case adminResetPassword = "Reset password (by admin)"
    case selfServiceResetPassword = "Reset password (self-service)"
    case resetFlowProgress = "Self-service password reset flow activity progress"
    case selfServiceUnlock = "Unlock user account (self-service)"
    case registered = "User registered for self-service password reset"
    case policyChange = "Self-service password reset policy changes"
    case adminUnlock = "Unlock user account (by admin)"
    case userCreated = "Add user"
    case userUpdated = "Update user"
    case userDeleted = "Delete user"
    case apiTokenCreated = "Create API token"
    case apiTokenRevoked = "Revoke API token"
    /// A directory user's session ended because the directory no longer vouches for it.
    case sessionEnded = "Session ended by the directory"
    case phoneBudgetSpent = "Daily budget of texts and calls spent"
    case accessPassIssued = "Issue temporary access pass"
    case accessPassRevoked = "Revoke temporary access pass"
    case accessPassUsed = "Use temporary access pass"
    case recoveryCodesGenerated = "Generate recovery codes"
    case recoveryCodesVoided = "Void recovery codes"
    /// A user followed a notice's "This wasn't me" (docs/behaviour.md#this-wasnt-me).
    case reportedEvent = "User reported an event as not theirs"
    /// An administrator signed a user out everywhere; the detail counts the sessions (docs/security.md#sessions).
    case adminEndedSessions = "Sign out user everywhere (by admin)"
    /// A user ended their own other sessions from their account page.
    case userEndedSessions = "End other sessions (self-service)"
    case passkeyRegistered = "Register passkey"
    /// By the user or an administrator: the actor says which.
    case passkeyRemoved = "Remove passkey"
    /// An assertion's counter was not above the stored one: the passkey may have been copied (docs/security.md#passkeys).
    case passkeyCounterWentBack = "Passkey refused: counter went back"
}

public enum AuditStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case success = "Success"
    case failure = "Failure"
}
