import Foundation

/// The key an authenticator app shares with Sesame: 160 bits from the CSPRNG (RFC 4226 §4 recommends that length).
/// Its description is redacted so that it never reaches a log; it is stored only sealed
/// (docs/security.md#authenticator-app).
public struct AuthenticatorSecret: Sendable, Hashable, CustomStringConvertible {
    public static let byteCount = 20
    public let bytes: [UInt8]

    public static func generate(using random: any RandomSource) -> AuthenticatorSecret {
        AuthenticatorSecret(bytes: random.bytes(byteCount))
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The key as apps take it typed: Base32 (RFC 4648), without padding.
    public var base32: String { Base32.encode(bytes) }

    /// The Base32 key in groups of four characters, easier to type by hand.
    public var grouped: String {
        let characters = Array(base32)
        return stride(from: 0, to: characters.count, by: 4)
            .map { String(characters[$0..<min($0 + 4, characters.count)]) }
            .joined(separator: " ")
    }

    /// The `otpauth://` URI apps read from the QR code (Google's Key Uri Format, which every app follows): the issuer
    /// names the organisation both in the label and as a parameter, each percent-encoded.
    public func uri(issuer: String, account: String) -> String {
        // Only RFC 3986's unreserved characters stay as they are: a colon, an ampersand or a space in a name must not
        // end the label or a parameter.
        let label = issuer.percentEncodedUnreserved + ":" + account.percentEncodedUnreserved
        let parameters = [
            ("secret", base32), ("issuer", issuer.percentEncodedUnreserved), ("algorithm", "SHA1"),
            ("digits", String(TimeBasedPassword.digits)), ("period", String(TimeBasedPassword.period)),
        ]
        return "otpauth://totp/\(label)?" + parameters.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    public var description: String { "AuthenticatorSecret(redacted)" }
}

/// RFC 4648 Base32, the alphabet authenticator apps take keys in.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    /// `bytes` in Base32 without padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        var output = ""
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8 | UInt32(byte)) & 0xffff
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[Int(buffer >> UInt32(bits) & 31)])
            }
        }
        if bits > 0 { output.append(alphabet[Int(buffer << UInt32(5 - bits) & 31)]) }
        return output
    }
}
