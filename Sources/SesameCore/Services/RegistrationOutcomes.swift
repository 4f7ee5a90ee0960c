import Foundation

/// A recovery method's contact a code confirms before it is saved (docs/behaviour.md#registration-portal).
public enum RegisteredContact: String, Sendable, Hashable, Codable {
    case phone, email

    /// The method a confirmed contact of this kind becomes.
    public var method: AuthenticationMethod {
        switch self {
        case .phone: .mobilePhone
        case .email: .email
        }
    }
}

/// A code on its way to a contact being registered: what the session keeps until the user types the code.
public struct PendingRegistrationCode: Sendable, Hashable, Codable {
    public let challengeID: UUID
    public let contact: RegisteredContact
    /// The full number (E.164) or address the code went to.
    public let destination: String
    public let channel: CodeChannel

    public init(challengeID: UUID, contact: RegisteredContact, destination: String, channel: CodeChannel) {
        self.challengeID = challengeID
        self.contact = contact
        self.destination = destination
        self.channel = channel
    }

    /// What the user sees of the destination: a phone number masked, an address whole (the user just typed it).
    /// `method`: the key sessions saved before this type existed already hold.
    enum CodingKeys: String, CodingKey {
        case challengeID, contact = "method", destination, channel
    }

    public var shown: String {
        contact == .phone ? ((try? PhoneNumber(international: destination))?.masked ?? "") : destination
    }
}

/// How asking for a registration code ended.
public enum RegistrationSend: Sendable, Hashable {
    /// The code is on its way.
    case sent(PendingRegistrationCode)
    /// The typed number or address is not one: the reason, in the user's language at the edge.
    case invalid(LocalizedText)
    /// The policy's phone rule refuses this number for this channel (docs/security.md#providers): nothing was sent.
    case phoneRefused(LocalizedText)
    /// A send limit refused (docs/security.md#abuse): nothing was sent.
    case refused(SendLimits.Refusal)
    /// The provider did not take the message; `reason` is for the log and holds no code.
    case deliveryFailed(CodeChannel, reason: String)
}

/// How typing a registration code ended.
public enum RegistrationConfirmation: Sendable, Hashable {
    /// The contact is saved, its activity row written and the old addresses told.
    case saved
    /// The code was not accepted: why, as the code service said it.
    case notAccepted(CodeCheck)
}

/// How saving security answers ended.
public enum RegistrationSave: Sendable, Hashable {
    case saved
    /// The answers do not meet the rules (docs/behaviour.md#security-questions): the message to show.
    case refused(LocalizedText)
}

/// How "Finish" ended.
public enum RegistrationFinish: Sendable, Hashable {
    /// The registration is confirmed (or re-confirmed) now.
    case confirmed
    /// Fewer methods on file than the policy requires: this many are needed.
    case needsMore(methods: Int)
}

/// A key for an authenticator app on its way to being registered: what the page shows, and the key sealed for the
/// session (docs/security.md#authenticator-app).
public struct AuthenticatorEnrolment: Sendable, Hashable, CustomStringConvertible {
    public let secret: AuthenticatorSecret
    /// The `otpauth://` URI the QR code carries.
    public let uri: String
    public let sealedForSession: Data

    /// Redacted: the URI carries the key (docs/security.md#authenticator-app).
    public var description: String { "AuthenticatorEnrolment(redacted)" }
}
