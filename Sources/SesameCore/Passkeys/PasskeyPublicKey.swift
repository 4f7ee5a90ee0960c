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

    /// Reads a COSE key; any other key type, curve or algorithm is refused, and so are a P-256 point off the curve and
    /// an Ed25519 point of small order or encoded non-canonically. (An Ed25519 encoding that is no point at all is
    /// only found when a signature is checked: every sign-in with it then fails.)
    public init(cose key: CBOR) throws(PasskeyError) {
        // Labels: 1 kty, 3 alg; -1 crv (or RSA's n), -2 x (or RSA's e), -3 y.
        switch (key[label: 1]?.integer, key[label: 3]?.integer) {
        case (2, -7):
            guard key[label: -1]?.integer == 1, let x = key[label: -2]?.byteString, let y = key[label: -3]?.byteString, x.count == 32, y.count == 32,
                let point = try? P256.Signing.PublicKey(x963Representation: [0x04] + x + y)
            else { throw .unsupportedKey }
            self = .es256(point)
        case (1, -8):
            guard key[label: -1]?.integer == 6, let x = key[label: -2]?.byteString, x.count == 32, !Self.isWeakEd25519(x),
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

    /// The Ed25519 encodings a signature can be forged for without a private key (RFC 8032 §5.1.7 leaves them to the
    /// verifier): the points of order 1, 2, 4 and 8, and y ≥ p, compared without the sign bit as libsodium does.
    /// The identity, for one, verifies the signature (R = identity, S = 0) for any message.
    static func isWeakEd25519(_ encoding: [UInt8]) -> Bool {
        var y = encoding
        guard let last = y.popLast() else { return true }
        y.append(last & 0x7F)
        let p: [UInt8] = [0xED] + Array(repeating: 0xFF, count: 30) + [0x7F]
        // Little-endian: p - 1 (order 2) and every y ≥ p (non-canonical), the 20 values whose upper 31 bytes are p's.
        if y.dropFirst().elementsEqual(p.dropFirst()), let low = y.first, low >= 0xEC { return true }
        return weakEd25519.contains(y)
    }

    /// The small-order points with y < p - 1 (p - 1, order 2, is caught as y ≥ p - 1 above).
    private static let weakEd25519: [[UInt8]] = [
        Array(repeating: 0, count: 32),  // y = 0, order 4
        [1] + Array(repeating: 0, count: 31),  // the identity, order 1
        [0x26, 0xE8, 0x95, 0x8F, 0xC2, 0xB2, 0x27, 0xB0, 0x45, 0xC3, 0xF4, 0x89, 0xF2, 0xEF, 0x98, 0xF0,
         0xD5, 0xDF, 0xAC, 0x05, 0xD3, 0xC6, 0x33, 0x39, 0xB1, 0x38, 0x02, 0x88, 0x6D, 0x53, 0xFC, 0x05],  // order 8
        [0xC7, 0x17, 0x6A, 0x70, 0x3D, 0x4D, 0xD8, 0x4F, 0xBA, 0x3C, 0x0B, 0x76, 0x0D, 0x10, 0x67, 0x0F,
         0x2A, 0x20, 0x53, 0xFA, 0x2C, 0x39, 0xCC, 0xC6, 0x4E, 0xC7, 0xFD, 0x77, 0x92, 0xAC, 0x03, 0x7A],  // order 8
    ]

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
