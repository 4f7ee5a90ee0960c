import Foundation

/// Sign-in lockout (DESIGN.md §3, spec §4.3): 10 failures lock for 1 minute, doubling with each further failure,
/// capped at 1 hour. Smart lockout: a repeat of one of the last 3 wrong passwords does not count again. Failures are
/// forgotten after 7 days without one, for real accounts and unknown user IDs alike (docs/security.md#enumeration).
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

    public init(failures: Int = 0, lockedUntil: Date? = nil, recentWrongPasswords: [String] = [], lastFailureAt: Date? = nil) {
        self.failures = failures
        self.lockedUntil = lockedUntil
        self.recentWrongPasswords = recentWrongPasswords
        self.lastFailureAt = lastFailureAt
    }

    public func isLocked(at now: Date) -> Bool {
        lockedUntil.map { $0 > now } ?? false
    }

    /// Counts a failed sign-in; `fingerprint` is a keyed digest of the wrong password.
    public mutating func recordFailure(fingerprint: String, at now: Date) {
        if let last = lastFailureAt, now.timeIntervalSince(last) >= Self.forgottenAfter, !isLocked(at: now) { self = SignInLockout() }
        lastFailureAt = now
        guard !recentWrongPasswords.contains(fingerprint) else { return }
        recentWrongPasswords = Array((recentWrongPasswords + [fingerprint]).suffix(Self.rememberedWrongPasswords))
        failures += 1
        guard failures >= Self.threshold else { return }
        let doublings = Double(failures - Self.threshold)
        lockedUntil = now.addingTimeInterval(min(Self.firstLock * pow(2, doublings), Self.longestLock))
    }

    /// A successful sign-in, a reset or an administrator's unlock clears everything.
    public mutating func clear() {
        self = SignInLockout()
    }
}
