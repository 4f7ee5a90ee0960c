import Foundation

/// What a notice told the user about, so that "This wasn't me" says which event was disowned
/// (docs/behaviour.md#this-wasnt-me).
public enum ReportedEvent: String, Sendable, Hashable, Codable, CaseIterable {
    case passwordReset
    case passwordChanged
    case unlocked
    /// A registered method or contact field changed.
    case methodsChanged
    case authenticatorRegistered
    case recoveryCodesGenerated
    case accessPassIssued
    case passkeyRegistered

    /// How the administrators' notice and the audit detail name the event.
    public var text: LocalizedText { LocalizedText("reportedEvent.\(rawValue)") }
}

/// A notice's one-time "This wasn't me" link, as stored: only the HMAC of its token under the server secret, never
/// the token (docs/security.md#this-wasnt-me-links).
public struct ReportLink: Sendable, Hashable, Codable {
    public let mac: [UInt8]
    public let userID: UUID
    public let event: ReportedEvent
    public let issuedAt: Date
    public let expiresAt: Date
    public var consumedAt: Date?
    /// The one thing the event added, when undoing it is part of the report: the passkey's ID.
    public let subject: String?

    public init(
        mac: [UInt8], userID: UUID, event: ReportedEvent, issuedAt: Date, expiresAt: Date, consumedAt: Date? = nil, subject: String? = nil
    ) {
        self.mac = mac
        self.userID = userID
        self.event = event
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.consumedAt = consumedAt
        self.subject = subject
    }

    /// 7 days: long enough for a notice read after a weekend away.
    public static let lifetime: TimeInterval = 7 * 86_400
    /// 256 bits.
    public static let tokenBytes = 32
    /// The token's length in base64url without padding.
    public static let tokenLength = 43

    /// The text the MAC covers.
    static func macMessage(token: String) -> String {
        "sesame.reportLink.v1|\(token)"
    }

    /// Whether `now` may still use this link.
    public func isLive(at now: Date) -> Bool {
        consumedAt == nil && expiresAt > now
    }
}
