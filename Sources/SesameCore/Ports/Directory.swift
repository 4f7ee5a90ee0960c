/// The directory that keeps the passwords of directory users (OpenLDAP, Active Directory): the port the adapter in
/// `SesameDirectory` implements. Users are named by their sign-in name (the login attribute's value); the adapter
/// finds their entry. Every refusal is a ``WritebackError``.
public protocol Directory: Sendable {
    /// Whether `password` is the user's (a bind as the user). A locked or disabled account throws instead, and so
    /// does a right password the directory wants changed first (``WritebackError/passwordMustChange``).
    func authenticate(userID: String, password: String) async throws -> Bool
    /// The user changes their own password, knowing the current one; the directory's policy applies, and a
    /// password that must be changed can be.
    func changePassword(userID: String, current: String, new: String) async throws
    /// The service account sets a new password; a reset always unlocks. With `mustChange` (an administrator chose it)
    /// the directory, where it can, also makes the user change it at the next sign-in (Active Directory's
    /// `pwdLastSet=0`; docs/behaviour.md#administrator-set-passwords).
    func resetPassword(userID: String, new: String, mustChange: Bool) async throws
    /// Clears the directory's lockout without touching the password.
    func unlock(userID: String) async throws
    func isLocked(userID: String) async throws -> Bool
    /// What the directory says of the account now: sessions compare it with what it said at sign-in
    /// (docs/security.md#sessions-and-the-directory).
    func accountState(userID: String) async throws -> DirectoryAccountState
    /// Every user the configured search finds, with the attributes sync reads.
    func entries() async throws -> [DirectoryEntry]
    /// Whether writeback can work now: the service account binds over a checked connection.
    func status() async -> DirectoryStatus
}

/// A directory account as a session watches it: its last password change, and whether it may sign in.
public struct DirectoryAccountState: Sendable, Codable, Hashable {
    /// The directory's own stamp of the last password change (OpenLDAP's `pwdChangedTime`, Active Directory's
    /// `pwdLastSet`), compared as it is and never read; `nil` while the directory has none.
    public var passwordChanged: String?
    public var locked: Bool
    public var disabled: Bool

    public init(passwordChanged: String?, locked: Bool, disabled: Bool) {
        self.passwordChanged = passwordChanged
        self.locked = locked
        self.disabled = disabled
    }
}

/// What the admin policy page and readiness show next to "Write back passwords": Configured / Not configured, with the
/// reason (docs/behaviour.md#password-writeback).
public enum DirectoryStatus: Sendable, Hashable {
    case configured
    /// `detail` is the directory's or the library's own words, for an administrator to search.
    case notConfigured(DirectoryProblem, detail: String)

    public var isConfigured: Bool { self == .configured }

    /// English, for readiness and the command line.
    public var description: String {
        switch self {
        case .configured: "configured"
        case .notConfigured(let problem, let detail): "not configured: \(problem.message.description)" + (detail.isEmpty ? "" : " (\(detail))")
        }
    }
}

/// Why writeback cannot work, in the categories an administrator acts on.
public enum DirectoryProblem: String, Sendable, Hashable, CaseIterable {
    /// `SESAME_LDAP_URL` is not set.
    case notSet
    case cannotConnect
    case tlsFailure
    /// The service account's bind was refused.
    case bindRefused
    /// The base DN cannot be read with the service account.
    case baseNotFound

    public var message: LocalizedText { LocalizedText("directory.problem.\(rawValue)") }
}
