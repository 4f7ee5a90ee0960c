/// The result column of the password reset activity report (docs/behaviour.md#reports-and-audit).
public enum ResetResult: String, Sendable, Hashable, Codable, CaseIterable {
    case abandoned = "Abandoned"
    case blocked = "Blocked"
    case cancelled = "Cancelled"
    case contactedAdmin = "Contacted admin"
    case failed = "Failed"
    case succeeded = "Succeeded"
}

/// A verification option as the report names it.
public enum VerificationOption: String, Sendable, Hashable, Codable, CaseIterable {
    case email
    case mobileSMS
    case mobileVoice
    case officeVoice
    case securityQuestions
    case authenticatorApp
    case recoveryCode
    case passkey
    /// A temporary access pass: it passes every gate at once (docs/behaviour.md#temporary-access-pass).
    case accessPass

    /// The method of the policy this option belongs to; a temporary access pass belongs to none.
    public var method: AuthenticationMethod? {
        switch self {
        case .email: .email
        case .mobileSMS, .mobileVoice: .mobilePhone
        case .officeVoice: .officePhone
        case .securityQuestions: .securityQuestions
        case .authenticatorApp: .authenticatorApp
        case .recoveryCode: .recoveryCodes
        case .passkey: .passkey
        case .accessPass: nil
        }
    }

    public var label: LocalizedText { LocalizedText("option.\(rawValue)") }
}
