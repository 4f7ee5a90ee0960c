import Foundation

/// How a code travels.
public enum CodeChannel: String, Sendable, Hashable, Codable, CaseIterable {
    case sms
    case voice
    case email
}

/// What a code proves.
public enum CodePurpose: String, Sendable, Hashable, Codable, CaseIterable {
    /// Ownership of a phone or address being registered.
    case registration
    /// Identity, at a reset or unlock gate.
    case reset
}

/// A code that was sent, as stored: only its HMAC under the server secret, never the code
/// (docs/architecture.md#where-state-lives).
public struct CodeChallenge: Sendable, Hashable, Codable, Identifiable {
    public let id: UUID
    public let userID: UUID
    public let purpose: CodePurpose
    public let channel: CodeChannel
    /// E.164 phone or email address the code went to; bound into the MAC so that a code only proves that destination.
    public let destination: String
    public let mac: [UInt8]
    public let issuedAt: Date
    public let expiresAt: Date
    public var attemptsLeft: Int
    public var consumedAt: Date?

    public init(
        id: UUID, userID: UUID, purpose: CodePurpose, channel: CodeChannel, destination: String, mac: [UInt8],
        issuedAt: Date, expiresAt: Date, attemptsLeft: Int, consumedAt: Date? = nil
    ) {
        self.id = id
        self.userID = userID
        self.purpose = purpose
        self.channel = channel
        self.destination = destination
        self.mac = mac
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.attemptsLeft = attemptsLeft
        self.consumedAt = consumedAt
    }

    /// The text the MAC covers: the challenge, its destination and the code.
    static func macMessage(id: UUID, destination: String, code: VerificationCode) -> String {
        "sesame.code.v1|\(id.uuidString)|\(destination)|\(code.digits)"
    }
}

extension CodeChannel {
    /// The longest a code sent this way may live, whatever ``CodeRules`` asks: 10 minutes by email, 5 by text or
    /// call, as NIST SP 800-63B-4 asks of out-of-band secrets sent to a phone, and ASVS 5.0 of short-lived
    /// codes (docs/behaviour.md#other-limits).
    public var maximumCodeLifetime: TimeInterval {
        switch self {
        case .email: 600
        case .sms, .voice: 300
        }
    }
}

/// 6 digits, 5 minutes, 3 wrong tries, then the code is void (docs/behaviour.md#other-limits).
public struct CodeRules: Sendable, Hashable {
    public var lifetime: TimeInterval = 300
    public var attempts = 3

    public init() {}

    public static let `default` = CodeRules()

    /// How long a code sent by `channel` lives: ``lifetime``, cut to the channel's maximum.
    public func lifetime(for channel: CodeChannel) -> TimeInterval {
        min(lifetime, channel.maximumCodeLifetime)
    }
}

/// The outcome of checking a typed code.
public enum CodeCheck: Sendable, Hashable {
    case accepted
    /// Wrong; the code stays usable for this many more tries (0: it is now void).
    case wrong(attemptsLeft: Int)
    case malformed
    case expired
    case exhausted
    case alreadyUsed
    case unknown
}
