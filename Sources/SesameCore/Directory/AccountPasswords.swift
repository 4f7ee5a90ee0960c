import Foundation

/// Where a user's password is checked and set: Sesame's store for local users, the directory for directory users
/// (docs/behaviour.md#password-writeback). Writeback is synchronous, so a caller learns the directory's answer before
/// it tells the user anything.
public struct AccountPasswords: Sendable {
    private let hasher: any PasswordHasher
    private let directory: (any Directory)?
    private let clock: any WallClock

    public init(hasher: any PasswordHasher, directory: (any Directory)?, clock: any WallClock) {
        self.hasher = hasher
        self.directory = directory
        self.clock = clock
    }

    public enum Check: Sendable, Hashable {
        case right
        case wrong
        /// The directory refused for another reason than the password: locked, disabled, unreachable.
        case refused(WritebackError)
    }

    /// Checks a sign-in password. A local user without a password is checked against `dummyHash`, so that every
    /// refusal costs the same hashes; a hash made with older parameters is renewed on `user`. The NFKC form is
    /// tried first, as NIST's rules hash and write back that form, then the password as typed when it differs (set
    /// under Entra's rules, or in the directory by other means) (docs/behaviour.md#passwords).
    public func check(_ password: String, of user: inout User, dummyHash: String) async -> Check {
        for form in Self.forms(of: password) {
            switch await check(form: form, of: &user, dummyHash: dummyHash) {
            case .wrong: continue
            case let found: return found
            }
        }
        return .wrong
    }

    /// The password NFKC-normalised, then as typed when that differs.
    static func forms(of password: String) -> [String] {
        let normalised = password.precomposedStringWithCompatibilityMapping
        return normalised == password ? [password] : [normalised, password]
    }

    private func check(form password: String, of user: inout User, dummyHash: String) async -> Check {
        switch user.source {
        case .local:
            guard await hasher.verify(password, against: user.passwordHash ?? dummyHash), let hash = user.passwordHash else { return .wrong }
            if hasher.needsRehash(hash), let renewed = try? await hasher.hash(password) { user.passwordHash = renewed }
            return .right
        case .directory:
            let userID = user.userID
            do {
                return try await inDirectory { try await $0.authenticate(userID: userID, password: password) } ? .right : .wrong
            } catch .passwordMustChange {
                // The directory matched the password and wants a new one: the user proved it, and must choose
                // another before anything else (docs/behaviour.md#administrator-set-passwords).
                user.passwordChangeRequired = true
                return .right
            } catch {
                return .refused(error)
            }
        }
    }

    /// Sets a new password chosen by the user after verification, or by an administrator (`byAdministrator`): someone
    /// else knows that one, so the user must change it at the next sign-in, in Sesame and, where it can say so, in
    /// the directory (docs/behaviour.md#administrator-set-passwords). A reset always unlocks. The directory's
    /// refusals are ``WritebackError``s.
    public func reset(_ user: inout User, to password: String, byAdministrator: Bool) async throws {
        switch user.source {
        case .local:
            user.passwordHash = try await hasher.hash(password)
        case .directory:
            let userID = user.userID
            try await inDirectory { try await $0.resetPassword(userID: userID, new: password, mustChange: byAdministrator) }
        }
        user.passwordChangedAt = clock.now
        user.passwordChangeRequired = byAdministrator
        user.lockout.clear()
    }

    /// The user changes their password once ``check(_:of:dummyHash:)`` accepted `current` (a local user's is not
    /// hashed again); the directory checks it once more in the change, and applies its own rules.
    public func change(_ user: inout User, from current: String, to new: String) async throws {
        switch user.source {
        case .local:
            user.passwordHash = try await hasher.hash(new)
        case .directory:
            let userID = user.userID
            try await inDirectory { try await $0.changePassword(userID: userID, current: current, new: new) }
        }
        user.passwordChangedAt = clock.now
        user.passwordChangeRequired = false
    }

    /// Clears Sesame's sign-in lockout and, for a directory user, the directory's.
    public func unlock(_ user: inout User) async throws(WritebackError) {
        if user.source == .directory {
            let userID = user.userID
            try await inDirectory { try await $0.unlock(userID: userID) }
        }
        user.lockout.clear()
    }

    /// Whether the account is locked, in Sesame or in the directory; a directory that cannot say counts as not.
    public func isLocked(_ user: User) async -> Bool {
        if user.lockout.isLocked(at: clock.now) { return true }
        guard user.source == .directory, let directory else { return false }
        return (try? await directory.isLocked(userID: user.userID)) ?? false
    }

    // MARK: Helpers

    /// Runs `action` on the directory, every failure told as a ``WritebackError``.
    private func inDirectory<T>(_ action: (any Directory) async throws -> T) async throws(WritebackError) -> T {
        guard let directory else { throw .unavailable(reason: "no directory is configured") }
        do {
            return try await action(directory)
        } catch {
            throw error as? WritebackError ?? .unavailable(reason: String(describing: error))
        }
    }
}
