/// The recovery methods a policy can offer, named as in the policy keys (docs/behaviour.md#policy-keys).
public enum AuthenticationMethod: String, Sendable, Codable, CaseIterable, Comparable {
    case mobilePhone
    case officePhone
    case email
    case securityQuestions
    case authenticatorApp
    case recoveryCodes

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (allCases.firstIndex(of: lhs) ?? allCases.endIndex) < (allCases.firstIndex(of: rhs) ?? allCases.endIndex)
    }
}
