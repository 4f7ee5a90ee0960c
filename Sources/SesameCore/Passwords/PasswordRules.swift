/// The fixed shape rules of a password (DESIGN.md §3, spec §4.7 modern values).
public struct PasswordRules: Sendable, Hashable {
    public var minimumLength = 8
    public var maximumLength = 256
    /// Out of lowercase, uppercase, digits and symbols.
    public var requiredClasses = 3
    /// The banned-password score a password needs (spec §4.7 step 4).
    public var minimumScore = 5

    public init() {}

    public static let `default` = PasswordRules()
}
