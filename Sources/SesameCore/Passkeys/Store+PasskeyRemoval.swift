import Foundation

extension Store {
    /// Deletes the passkeys of `user` that `which` selects, each audited "Remove passkey" by `actor`, and returns how
    /// many went: the one way passkeys are removed, by the user, an administrator or a "This wasn't me"
    /// (docs/behaviour.md#passkeys). Ending the sessions is the caller's, once for all.
    func removePasskeys(
        of user: User, where which: (Passkey) -> Bool, by actor: String, at date: Date, requestID: String?
    ) async throws -> Int {
        var removed = 0
        for passkey in try await passkeys(userID: user.id) where which(passkey) {
            guard try await deletePasskey(id: passkey.id, userID: user.id) else { continue }
            try await appendAudit(AuditEvent(
                at: date, activity: .passkeyRemoved, actor: actor, target: user.userID, detail: passkey.name, requestID: requestID))
            removed += 1
        }
        return removed
    }
}
