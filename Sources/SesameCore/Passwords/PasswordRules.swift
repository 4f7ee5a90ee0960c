import Foundation

/// The fixed shape rules of a password: Entra's modern values by default, or NIST SP 800-63B-4's
/// (docs/behaviour.md#passwords).
public struct PasswordRules: Sendable, Hashable {
    public var minimumLength = 8
    public var maximumLength = 256
    /// Out of lowercase, uppercase, digits and symbols.
    public var requiredClasses = 3
    /// The banned-password score a password needs (docs/behaviour.md#passwords).
    public var minimumScore = 5
    /// Any Unicode character is allowed and the password is normalised to NFKC before it is checked, hashed or
    /// written back; otherwise only printable ASCII is allowed, as every directory and keyboard can take it.
    public var unicode = false

    public init() {}

    public static let `default` = PasswordRules()

    /// NIST SP 800-63B-4 §3.1.1.2: 15 characters or more, any Unicode, no composition rules.
    public static let nist: PasswordRules = {
        var rules = PasswordRules()
        rules.minimumLength = 15
        rules.requiredClasses = 0
        rules.unicode = true
        return rules
    }()

    /// The password as it is checked, hashed and written back: NFKC under the Unicode rules, so that the same
    /// characters typed on different keyboards give the same password (docs/behaviour.md#passwords).
    public func prepared(_ password: String) -> String {
        unicode ? password.precomposedStringWithCompatibilityMapping : password
    }
}

/// The `passwordRules` policy key: which ``PasswordRules`` apply (docs/behaviour.md#policy-keys).
public enum PasswordRuleSet: String, Sendable, Hashable, Codable, CaseIterable {
    case entra, nist

    public var rules: PasswordRules {
        switch self {
        case .entra: .default
        case .nist: .nist
        }
    }
}
