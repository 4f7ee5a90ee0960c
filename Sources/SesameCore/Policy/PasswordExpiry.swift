import Foundation

/// Whether a user's password has expired, and in how many days it will (`passwordExpiryDays`; 0 never expires):
/// sign-in sends an expired password to its change before anything else, and the account page counts the days
/// (docs/behaviour.md#sign-in).
public struct PasswordExpiry: Sendable, Hashable {
    public let expired: Bool
    /// `nil` when the password never expires, or was never set.
    public let daysLeft: Int?

    public init(expired: Bool, daysLeft: Int?) {
        self.expired = expired
        self.daysLeft = daysLeft
    }

    public static let never = PasswordExpiry(expired: false, daysLeft: nil)
}

extension Policy {
    public func passwordExpiry(of user: User, now: Date) -> PasswordExpiry {
        guard passwordExpiryDays > 0, let changed = user.passwordChangedAt else { return .never }
        let left = changed.addingTimeInterval(Double(passwordExpiryDays) * 86_400).timeIntervalSince(now)
        return PasswordExpiry(expired: left <= 0, daysLeft: Int((left / 86_400).rounded(.up)))
    }
}
