import Foundation

/// One entry of the audit log: who did what to whom, and how it went. Details never hold a secret.
public struct AuditEvent: Sendable, Hashable, Codable, Identifiable {
    public let id: UUID
    public let at: Date
    public let activity: AuditActivity
    /// Who acted: a user ID, `cli`, an API token's name, or `anonymous` on the reset portal.
    public let actor: String
    /// The user or object acted on.
    public let target: String
    public let status: AuditStatus
    public let detail: String
    public let failureReason: String?
    /// The support code shown to the user, so that the helpdesk can find the event.
    public let requestID: String?

    public init(
        id: UUID = .timeOrdered(), at: Date, activity: AuditActivity, actor: String, target: String,
        status: AuditStatus = .success, detail: String = "", failureReason: String? = nil, requestID: String? = nil
    ) {
        self.id = id
        self.at = at
        self.activity = activity
        // Escaped: typed IDs and directory values reach terminals and logs through the audit (docs/security.md#directory-values).
        self.actor = PrintableText.escaping(actor)
        self.target = PrintableText.escaping(target)
        self.status = status
        self.detail = PrintableText.escaping(detail)
        self.failureReason = failureReason
        self.requestID = requestID
    }
}
