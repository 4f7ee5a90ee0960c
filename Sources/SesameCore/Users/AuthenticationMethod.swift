/// The recovery methods a policy can offer, named as in the policy keys (docs/behaviour.md#policy-keys).
public enum AuthenticationMethod: String, Sendable, Codable, CaseIterable, Comparable {
    case mobilePhone
    case officePhone
    case email
    case securityQuestions
    case authenticatorApp
    case recoveryCodes
    case passkey

    /// A phone (SMS or voice) or security questions: the methods the standards restrict (NIST SP 800-63B-4 makes
    /// SMS and voice "restricted authenticators", ASVS 5.0 6.4.2 forbids security questions), which
    /// `requireNonPhoneMethod` asks users to complement (docs/behaviour.md#policy-keys). Any other method — email
    /// today, those added later unless they say otherwise — is not restricted.
    public var isRestricted: Bool { Self.restricted.contains(self) }

    /// Listed rather than switched over, so that a new case is unrestricted without touching this file.
    public static let restricted: Set<AuthenticationMethod> = [.mobilePhone, .officePhone, .securityQuestions]

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (allCases.firstIndex(of: lhs) ?? allCases.endIndex) < (allCases.firstIndex(of: rhs) ?? allCases.endIndex)
    }
}
