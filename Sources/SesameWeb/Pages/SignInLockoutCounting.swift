import Foundation
import SesameCore

/// Smart lockout for every page that checks a user's own password: sign-in, and the change of password at
/// `/account/password` and `/signin/expired`, so that a session is not a way to keep guessing after sign-in
/// would have locked (docs/security.md#sign-in-lockout).
extension Pages {
    /// Counts `password` as a wrong one for `user` and stores it. One wrong password counts once, wherever typed.
    func recordWrongPassword(_ password: String, of user: inout User) async throws {
        user.lockout.recordFailure(fingerprint: wrongPasswordFingerprint(password, user: user), at: clock.now)
        try await store.updateUser(user)
    }

    /// The sign-in page's message while `user` is locked, or nil.
    func lockedMessage(_ user: User, _ context: WebContext) -> String? {
        let now = clock.now
        guard user.lockout.isLocked(at: now), let lockedUntil = user.lockout.lockedUntil else { return nil }
        let minutes = Int((lockedUntil.timeIntervalSince(now) / 60).rounded(.up))
        return text("signin.locked", ["minutes": String(minutes)], context)
    }

    /// A keyed digest of a wrong password: smart lockout compares these, and the password itself is never kept.
    private func wrongPasswordFingerprint(_ password: String, user: User) -> String {
        dependencies.secret.mac("signin.wrong|\(user.id.uuidString)|\(password)").prefix(12).map { String(format: "%02x", $0) }.joined()
    }
}
