import Foundation

/// Sign-in lockout (docs/behaviour.md#sign-in): 10 failures lock for 1 minute, doubling with each further failure,
/// capped at 1 hour. Smart lockout: a repeat of one of the last 3 wrong passwords does not count again. Failures are
/// forgotten after 7 days without one, for real accounts and unknown user IDs alike (docs/security.md#enumeration).
///
/// With a directory, ``streak`` also counts the failures since the last quiet spell, the count the directory's own
/// lockout sees, which ``DirectoryBindLimit`` keeps below the directory's threshold (docs/security.md#directory-lockout).
public struct SignInLockout: Sendable, Hashable, Codable {
    public static let threshold = 10
    public static let firstLock: TimeInterval = 60
    public static let longestLock: TimeInterval = 3_600
    public static let rememberedWrongPasswords = 3
    public static let forgottenAfter: TimeInterval = 7 * 86_400

    public private(set) var failures: Int
    public private(set) var lockedUntil: Date?
    /// Keyed digests (never the passwords) of the last wrong passwords.
    public private(set) var recentWrongPasswords: [String]
    public private(set) var lastFailureAt: Date?
    /// Passwords checked since the last success or the last quiet spell of ``DirectoryBindLimit/window``, and when the
    /// last of them was.
    public private(set) var streak: Int
    public private(set) var streakAt: Date?

    public init(
        failures: Int = 0, lockedUntil: Date? = nil, recentWrongPasswords: [String] = [], lastFailureAt: Date? = nil, streak: Int = 0,
        streakAt: Date? = nil
    ) {
        self.failures = failures
        self.lockedUntil = lockedUntil
        self.recentWrongPasswords = recentWrongPasswords
        self.lastFailureAt = lastFailureAt
        self.streak = streak
        self.streakAt = streakAt
    }

    public func isLocked(at now: Date) -> Bool {
        lockedUntil.map { $0 > now } ?? false
    }

    /// Counts a failed sign-in; `fingerprint` is a keyed digest of the wrong password. `limit` says when a streak ends.
    public mutating func recordFailure(fingerprint: String, at now: Date, limit: DirectoryBindLimit = .standard) {
        if let last = lastFailureAt, now.timeIntervalSince(last) >= Self.forgottenAfter, !isLocked(at: now) { self = SignInLockout() }
        if !skipsCheck(of: fingerprint, limit, at: now) {
            let quiet = streakAt.map { now.timeIntervalSince($0) >= limit.window } ?? true
            streak = quiet ? 1 : streak + 1
            streakAt = now
        }
        lastFailureAt = now
        guard !isRepeat(fingerprint) else { return }
        recentWrongPasswords = Array((recentWrongPasswords + [fingerprint]).suffix(Self.rememberedWrongPasswords))
        failures += 1
        guard failures >= Self.threshold else { return }
        let doublings = Double(failures - Self.threshold)
        lockedUntil = now.addingTimeInterval(min(Self.firstLock * pow(2, doublings), Self.longestLock))
    }

    /// Whether `fingerprint` is one of the last wrong passwords: smart lockout counts it once.
    public func isRepeat(_ fingerprint: String) -> Bool {
        recentWrongPasswords.contains(fingerprint)
    }

    /// A wrong password repeated within the streak's window is not checked against the directory again: it is
    /// known to be wrong, and each bind would count toward the directory's lockout. After a quiet spell it is
    /// checked (the password may have changed in the directory meanwhile).
    public func skipsCheck(of fingerprint: String, _ limit: DirectoryBindLimit, at now: Date) -> Bool {
        isRepeat(fingerprint) && !isQuiet(limit, at: now)
    }

    private func isQuiet(_ limit: DirectoryBindLimit, at now: Date) -> Bool {
        lastFailureAt.map { now.timeIntervalSince($0) >= limit.window } ?? true
    }

    /// Until when no password may be checked against the directory: the streak reached the limit, and the directory
    /// may still count those failures (docs/security.md#directory-lockout).
    public func heldUntil(_ limit: DirectoryBindLimit, at now: Date) -> Date? {
        guard streak >= limit.failures, let last = streakAt else { return nil }
        let until = last.addingTimeInterval(limit.window)
        return until > now ? until : nil
    }

    /// A successful sign-in, a reset or an administrator's unlock clears everything.
    public mutating func clear() {
        self = SignInLockout()
    }
}
