import Foundation

/// A row of the "Password reset activity" report (docs/behaviour.md#reports-and-audit): every reset attempt and how it
/// ended.
public struct ResetActivity: Sendable, Hashable, Codable, Identifiable {
    public let id: UUID
    public let at: Date
    /// The user ID as typed (it may match nobody), control characters escaped, at most ``maximumUserIDLength``
    /// characters: anyone can type one, and a 60,000-character one was once kept whole, forever.
    public let userID: String
    public static let maximumUserIDLength = 256
    public let role: String
    public let methodsUsed: [VerificationOption]
    public let detail: ResetDetail
    public let requestID: String?

    public init(
        id: UUID = .timeOrdered(), at: Date, userID: String, role: String, methodsUsed: [VerificationOption],
        detail: ResetDetail, requestID: String? = nil
    ) {
        self.id = id
        self.at = at
        // Escaped: it reaches terminals and logs through reports (docs/security.md#directory-values).
        self.userID = String(PrintableText.escaping(userID).prefix(Self.maximumUserIDLength))
        self.role = role
        self.methodsUsed = methodsUsed
        self.detail = detail
        self.requestID = requestID
    }

    public var result: ResetResult { detail.result }
}

/// A row of the "Password reset registration activity" report: one row per registered item
/// (docs/behaviour.md#reports-and-audit).
public struct RegistrationActivity: Sendable, Hashable, Codable, Identifiable {
    public let id: UUID
    public let at: Date
    public let userID: String
    public let role: String
    public let dataRegistered: AuthenticationMethod

    public init(id: UUID = .timeOrdered(), at: Date, userID: String, role: String, dataRegistered: AuthenticationMethod) {
        self.id = id
        self.at = at
        self.userID = userID
        self.role = role
        self.dataRegistered = dataRegistered
    }
}

