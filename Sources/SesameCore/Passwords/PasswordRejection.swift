/// Why a new password was refused. Each reason has a stable code (its raw value, used in audit details and the API)
/// and a localised message.
public enum PasswordRejection: String, Sendable, Hashable, CaseIterable, Codable {
    case tooShort
    case tooLong
    case invalidCharacters
    case notEnoughCharacterClasses
    /// The whole password is (nearly) one of the most common ones.
    case commonPassword
    /// It is made mostly of terms the administrator banned.
    case blockedByAdministrator
    /// It is made mostly of common words, names or the organisation's name (score under 5,
    /// docs/behaviour.md#passwords).
    case easilyGuessable
    case sameAsCurrent
    /// It is on the offline list of breached passwords (docs/security.md#breached-passwords).
    case breachedPassword

    public func message(rules: PasswordRules) -> LocalizedText {
        LocalizedText("password.\(rawValue)", [
            "min": String(rules.minimumLength), "max": String(rules.maximumLength), "classes": String(rules.requiredClasses),
        ])
    }

    /// The name recorded in the audit log for a banned-password refusal: Entra's (docs/behaviour.md#passwords).
    public var auditReason: String {
        switch self {
        case .commonPassword, .blockedByAdministrator, .easilyGuessable: "FuzzyPolicyViolationInvalidPassword"
        default: rawValue
        }
    }
}
