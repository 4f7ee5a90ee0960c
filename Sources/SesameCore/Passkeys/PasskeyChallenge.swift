import Foundation

/// A WebAuthn challenge (docs/security.md#passkeys): 16 random bytes, the time it was made and a MAC over both, the
/// ceremony and its subject, under the server secret. Nothing is stored when one is handed out, so that loading the
/// sign-in page writes nothing; the store keeps the MAC of each one answered, until it expires, which makes it
/// single use on every instance.
public struct PasskeyChallenge: Sendable, Hashable {
    /// What a challenge may be answered for.
    public enum Ceremony: String, Sendable, Hashable {
        /// Adding a passkey; the subject is the signed-in user.
        case registration
        /// A reset or step-up gate; the subject is the flow.
        case gate
        /// Signing in; no subject, since the passkey says who it is.
        case signIn
    }

    public let bytes: [UInt8]
    /// When it was made (whole seconds); it may be answered until `issuedAt + lifetime`.
    public let issuedAt: Date

    /// 5 minutes, as a code sent by SMS (docs/behaviour.md#other-limits).
    public static let lifetime: TimeInterval = 300
    static let nonceLength = 16
    static let tagLength = 16
    static let length = nonceLength + 8 + tagLength

    /// A new challenge for `ceremony` of `subject`, made at `now`.
    public init(for ceremony: Ceremony, subject: String, at now: Date, secret: ServerSecret, random: any RandomSource) {
        let seconds = UInt64(max(0, now.timeIntervalSince1970.rounded(.down)))
        var body = random.bytes(Self.nonceLength)
        body += seconds.bigEndianBytes
        issuedAt = Date(timeIntervalSince1970: Double(seconds))
        bytes = body + Self.tag(body, ceremony: ceremony, subject: subject, secret: secret)
    }

    /// The challenge a browser sent back (base64url, as `clientDataJSON` carries it), when this server made it for
    /// `ceremony` of `subject` less than ``lifetime`` ago; `nil` otherwise. Whether it was answered before is the
    /// store's to say (``PasskeyStore/claimPasskeyChallenge(mac:expiresAt:)``).
    public init?(answered text: String, for ceremony: Ceremony, subject: String, at now: Date, secret: ServerSecret) {
        guard let bytes = [UInt8](base64URL: text, limit: 64), bytes.count == Self.length else { return nil }
        let body = Array(bytes.prefix(Self.nonceLength + 8))
        guard ConstantTime.equal(Self.tag(body, ceremony: ceremony, subject: subject, secret: secret), Array(bytes.suffix(Self.tagLength))) else {
            return nil
        }
        let issued = body.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let age = now.timeIntervalSince1970 - Double(issued)
        guard age >= -5, age < Self.lifetime else { return nil }
        self.bytes = bytes
        issuedAt = Date(timeIntervalSince1970: Double(issued))
    }

    public var base64URL: String { bytes.base64URL }

    /// What the store keeps of an answered challenge: its MAC, not the challenge.
    func usedMAC(secret: ServerSecret) -> [UInt8] {
        secret.mac("sesame.passkey.used.v1|\(base64URL)")
    }

    private static func tag(_ body: [UInt8], ceremony: Ceremony, subject: String, secret: ServerSecret) -> [UInt8] {
        Array(secret.mac("sesame.passkey.challenge.v1|\(ceremony.rawValue)|\(subject)|\(body.base64URL)").prefix(tagLength))
    }
}

extension UInt64 {
    var bigEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: self >> (56 - 8 * $0)) } }
}
