import Crypto
import Foundation
import _CryptoExtras

/// A passkey's public key, read from its COSE form (RFC 9052, RFC 9053): the three algorithms browsers and
/// authenticators offer, verified by swift-crypto, never by our own arithmetic (docs/security.md#passkeys).
public enum PasskeyPublicKey: Sendable {
    /// COSE algorithm -7: ECDSA on P-256 with SHA-256; the signature is DER.
    case es256(P256.Signing.PublicKey)
    /// COSE algorithm -8: Ed25519.
    case edDSA(Curve25519.Signing.PublicKey)
    /// COSE algorithm -257: RSASSA-PKCS1-v1_5 with SHA-256, keys of 2,048 bits or more.
    case rs256(_RSA.Signing.PublicKey)

    /// The algorithms a registration offers, most preferred first (`pubKeyCredParams`).
    public static let algorithms = [-7, -8, -257]

    /// The COSE algorithm number.
    public var algorithm: Int {
        switch self {
        case .es256: -7
        case .edDSA: -8
        case .rs256: -257
        }
    }

    /// Reads a COSE key; any other key type, curve, algorithm or a point off the curve is refused.
    public init(cose key: CBOR) throws(PasskeyError) {
        // Labels: 1 kty, 3 alg; -1 crv (or RSA's n), -2 x (or RSA's e), -3 y.
        switch (key[label: 1]?.integer, key[label: 3]?.integer) {
        case (2, -7):
            guard key[label: -1]?.integer == 1, let x = key[label: -2]?.byteString, let y = key[label: -3]?.byteString, x.count == 32, y.count == 32,
                let point = try? P256.Signing.PublicKey(x963Representation: [0x04] + x + y)
            else { throw .unsupportedKey }
            self = .es256(point)
        case (1, -8):
            guard key[label: -1]?.integer == 6, let x = key[label: -2]?.byteString, x.count == 32,
                let point = try? Curve25519.Signing.PublicKey(rawRepresentation: x)
            else { throw .unsupportedKey }
            self = .edDSA(point)
        case (3, -257):
            // swift-crypto refuses keys under 2,048 bits; 8,192 bounds the work an outside key can ask for.
            guard let n = key[label: -1]?.byteString, let e = key[label: -2]?.byteString, n.count <= 1_024, e.count <= 8,
                let rsa = try? _RSA.Signing.PublicKey(n: n, e: e)
            else { throw .unsupportedKey }
            self = .rs256(rsa)
        default:
            throw .unsupportedKey
        }
    }

    /// Reads the COSE key stored at registration.
    public init(stored bytes: [UInt8]) throws(PasskeyError) {
        try self.init(cose: try CBORReader.decode(bytes))
    }

    /// Whether `signature` signs `data` under this key.
    public func isValidSignature(_ signature: [UInt8], for data: [UInt8]) -> Bool {
        switch self {
        case .es256(let key):
            guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: data)
        case .edDSA(let key):
            return key.isValidSignature(signature, for: data)
        case .rs256(let key):
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: data, padding: .insecurePKCS1v1_5)
        }
    }
}
