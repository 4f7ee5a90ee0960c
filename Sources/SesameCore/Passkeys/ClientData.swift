import Foundation

/// What the browser says of the ceremony (WebAuthn §5.8.1, `clientDataJSON`): the fields a relying party checks.
public struct ClientData: Sendable, Decodable {
    public let type: String
    /// The challenge, base64url as the browser wrote it.
    public let challenge: String
    public let origin: String
    public let crossOrigin: Bool?

    /// Browsers write a few hundred bytes; anything near this bound is not a browser's.
    public static let maximumLength = 4_096

    public init(json bytes: [UInt8]) throws(PasskeyError) {
        guard bytes.count <= Self.maximumLength else { throw .malformed("clientDataJSON too long") }
        do {
            self = try JSONDecoder().decode(ClientData.self, from: Data(bytes))
        } catch {
            throw .malformed("clientDataJSON is not the JSON WebAuthn defines")
        }
    }
}
