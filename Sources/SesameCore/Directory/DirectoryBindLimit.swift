import Foundation

/// How many wrong passwords Sesame lets reach the directory for one user ID before it stops checking, and for how
/// long (`SESAME_LDAP_BIND_FAILURES`, `SESAME_LDAP_BIND_FAILURE_MINUTES`; docs/security.md#directory-lockout).
///
/// Every sign-in a directory user makes is a bind, and the directory counts failed binds toward its own lockout,
/// which Sesame cannot undo without a reset. With `failures` below the directory's threshold and `window` at least
/// its observation window, strangers typing guesses at `/signin` cannot lock anyone out of the directory: after
/// `failures` wrong passwords in a row Sesame answers "locked" itself until `window` has passed since the last one,
/// by which time the directory has forgotten them.
public struct DirectoryBindLimit: Sendable, Hashable {
    public let failures: Int
    public let window: TimeInterval

    public init(failures: Int, window: TimeInterval) {
        self.failures = failures
        self.window = window
    }

    /// Below Active Directory's usual thresholds (5 in the CIS benchmark, 10 in Windows' own defaults); the window
    /// matches the longest usual "reset account lockout counter after" (30 minutes).
    public static let standard = DirectoryBindLimit(failures: 4, window: 30 * 60)

    public static let allowedFailures = 1...50
    public static let allowedMinutes = 1...1_440
}
