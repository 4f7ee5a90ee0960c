/// The fixed shape rules of a password, Entra's modern values (docs/behaviour.md#passwords).
public struct PasswordRules: Sendable, Hashable {
    public var minimumLength = 8
    public var maximumLength = 256
    /// Out of lowercase, uppercase, digits and symbols.
    public var requiredClasses = 3
    /// The banned-password score a password needs (docs/behaviour.md#passwords).
    public var minimumScore = 5

    public init() {}

    public static let `default` = PasswordRules()
}
