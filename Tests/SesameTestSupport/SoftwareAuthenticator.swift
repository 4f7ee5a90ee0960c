import Crypto
import Foundation
import SesameCore
import _CryptoExtras

/// An authenticator in the test process: it makes the registrations and assertions a browser would hand Sesame, with
/// real keys, so that every check of ``PasskeyRelyingParty`` meets bytes it must refuse or accept.
public struct SoftwareAuthenticator: Sendable {
    public enum Key: Sendable {
        case es256(P256.Signing.PrivateKey)
        case edDSA(Curve25519.Signing.PrivateKey)
        case rs256(_RSA.Signing.PrivateKey)
    }

    public let key: Key
    public let credentialID: [UInt8]
    public var signCount: UInt32 = 0
    /// What the authenticator returns as the user handle: the user's UUID, as Sesame registers it.
    public var userHandle: [UInt8]?

    /// A key of `user`'s: its user handle is theirs.
    public func owned(by user: UUID) -> SoftwareAuthenticator {
        var owned = self
        owned.userHandle = withUnsafeBytes(of: user.uuid) { Array($0) }
        return owned
    }

    public static func es256(credentialID: [UInt8] = Array(repeating: 7, count: 16)) -> SoftwareAuthenticator {
        SoftwareAuthenticator(key: .es256(P256.Signing.PrivateKey()), credentialID: credentialID)
    }
    public static func edDSA(credentialID: [UInt8] = Array(repeating: 8, count: 16)) -> SoftwareAuthenticator {
        SoftwareAuthenticator(key: .edDSA(Curve25519.Signing.PrivateKey()), credentialID: credentialID)
    }
    public static func rs256() throws -> SoftwareAuthenticator {
        SoftwareAuthenticator(key: .rs256(try _RSA.Signing.PrivateKey(keySize: .bits2048)), credentialID: Array(repeating: 9, count: 16))
    }

    /// The public key in COSE form, as an authenticator writes it.
    public var coseKey: CBOR {
        switch key {
        case .es256(let key):
            let point = Array(key.publicKey.x963Representation)
            return .map([entry(1, CBOR(2)), entry(3, CBOR(-7)), entry(-1, CBOR(1)), entry(-2, .bytes(Array(point[1..<33]))), entry(-3, .bytes(Array(point[33...])))])
        case .edDSA(let key):
            return .map([entry(1, CBOR(1)), entry(3, CBOR(-8)), entry(-1, CBOR(6)), entry(-2, .bytes(Array(key.publicKey.rawRepresentation)))])
        case .rs256(let key):
            let (n, e) = Self.modulusAndExponent(key.publicKey)
            return .map([entry(1, CBOR(3)), entry(3, CBOR(-257)), entry(-1, .bytes(n)), entry(-2, .bytes(e))])
        }
    }

    /// The flags byte: user present, user verified, then any others.
    public static let presentAndVerified: UInt8 = 0x01 | 0x04

    public func authenticatorData(rpID: String, flags: UInt8, withCredential: Bool) -> [UInt8] {
        var data = Array(SHA256.hash(data: Array(rpID.utf8))) + [flags | (withCredential ? 0x40 : 0)]
        data += bigEndian(signCount)
        if withCredential {
            data += Array(repeating: 0, count: 16) + [UInt8(credentialID.count >> 8), UInt8(credentialID.count & 0xFF)] + credentialID
            data += CBORWriter.encode(coseKey)
        }
        return data
    }

    public static func clientData(type: String, challenge: [UInt8], origin: String, crossOrigin: Bool = false) -> [UInt8] {
        Array("{\"type\":\"\(type)\",\"challenge\":\"\(challenge.base64URL)\",\"origin\":\"\(origin)\",\"crossOrigin\":\(crossOrigin)}".utf8)
    }

    /// `navigator.credentials.create`'s attestation object, with attestation "none".
    public func attestationObject(rpID: String, flags: UInt8 = presentAndVerified) -> [UInt8] {
        CBORWriter.encode(.map([
            CBOR.Entry(key: .text("fmt"), value: .text("none")), CBOR.Entry(key: .text("attStmt"), value: .map([])),
            CBOR.Entry(key: .text("authData"), value: .bytes(authenticatorData(rpID: rpID, flags: flags, withCredential: true))),
        ]))
    }

    /// `navigator.credentials.get`'s authenticator data and signature over it and the client data's hash.
    public mutating func assertion(rpID: String, clientData: [UInt8], flags: UInt8 = presentAndVerified, counting: Bool = true) throws -> (data: [UInt8], signature: [UInt8]) {
        if counting { signCount += 1 }
        let data = authenticatorData(rpID: rpID, flags: flags, withCredential: false)
        let signed = data + Array(SHA256.hash(data: clientData))
        let signature: [UInt8] = switch key {
        case .es256(let key): Array(try key.signature(for: signed).derRepresentation)
        case .edDSA(let key): Array(try key.signature(for: signed))
        case .rs256(let key): Array(try key.signature(for: signed, padding: .insecurePKCS1v1_5).rawRepresentation)
        }
        return (data, signature)
    }

    /// A registration made against a page's options, as its script would post it.
    public func register(_ options: PasskeyCreationOptions, origin: String, flags: UInt8 = presentAndVerified) -> PasskeyAttestation {
        register(challenge: options.challenge, rpID: options.rp.id, origin: origin, flags: flags)
    }

    /// A registration made against a challenge as a page carries it (base64url).
    public func register(challenge: String, rpID: String, origin: String, flags: UInt8 = presentAndVerified) -> PasskeyAttestation {
        PasskeyAttestation(
            attestationObject: attestationObject(rpID: rpID, flags: flags),
            clientDataJSON: Self.clientData(type: "webauthn.create", challenge: [UInt8](base64URL: challenge, limit: 256) ?? [], origin: origin))
    }

    /// An assertion made against a page's options, as its script would post it.
    public mutating func assert(_ options: PasskeyRequestOptions, origin: String, flags: UInt8 = presentAndVerified, userHandle: [UInt8]? = nil) throws -> PasskeyAssertion {
        try assert(challenge: options.challenge, rpID: options.rpId, origin: origin, flags: flags, userHandle: userHandle)
    }

    /// An assertion made against a challenge as a page carries it (base64url).
    public mutating func assert(
        challenge: String, rpID: String, origin: String, flags: UInt8 = presentAndVerified, userHandle: [UInt8]? = nil
    ) throws -> PasskeyAssertion {
        let client = Self.clientData(type: "webauthn.get", challenge: [UInt8](base64URL: challenge, limit: 256) ?? [], origin: origin)
        let (data, signature) = try assertion(rpID: rpID, clientData: client, flags: flags)
        return PasskeyAssertion(
            credentialID: credentialID, authenticatorData: data, clientDataJSON: client, signature: signature, userHandle: userHandle ?? self.userHandle)
    }

    /// The COSE algorithm of the key.
    public var algorithm: Int {
        switch key {
        case .es256: -7
        case .edDSA: -8
        case .rs256: -257
        }
    }

    private func entry(_ label: Int, _ value: CBOR) -> CBOR.Entry { CBOR.Entry(key: CBOR(label), value: value) }

    /// n and e from the key's PKCS#1 DER: SEQUENCE { INTEGER n, INTEGER e } inside SubjectPublicKeyInfo.
    public static func modulusAndExponent(_ key: _RSA.Signing.PublicKey) -> ([UInt8], [UInt8]) {
        let der = Array(key.pkcs1DERRepresentation)
        var integers: [[UInt8]] = []
        var index = 0
        func length() -> Int {
            let first = Int(der[index]); index += 1
            guard first & 0x80 != 0 else { return first }
            var value = 0
            for _ in 0..<(first & 0x7F) { value = value << 8 | Int(der[index]); index += 1 }
            return value
        }
        index += 1  // SEQUENCE
        _ = length()
        while index < der.count {
            index += 1  // INTEGER
            let count = length()
            var value = Array(der[index..<(index + count)])
            while value.first == 0, value.count > 1 { value.removeFirst() }
            integers.append(value)
            index += count
        }
        return (integers[0], integers[1])
    }
}

/// Encodes CBOR the way CTAP2's canonical form does (shortest arguments), for the tests' authenticator.
public enum CBORWriter {
    public static func encode(_ value: CBOR) -> [UInt8] {
        switch value {
        case .unsigned(let n): head(0, n)
        case .negative(let n): head(1, n)
        case .bytes(let bytes): head(2, UInt64(bytes.count)) + bytes
        case .text(let text): head(3, UInt64(text.utf8.count)) + Array(text.utf8)
        case .array(let items): head(4, UInt64(items.count)) + items.flatMap(encode)
        case .map(let entries): head(5, UInt64(entries.count)) + entries.flatMap { encode($0.key) + encode($0.value) }
        case .bool(let flag): [flag ? 0xF5 : 0xF4]
        case .null: [0xF6]
        }
    }

    public static func head(_ major: UInt8, _ argument: UInt64) -> [UInt8] {
        let type = major << 5
        switch argument {
        case 0..<24: return [type | UInt8(argument)]
        case 24..<0x100: return [type | 24, UInt8(argument)]
        case 0x100..<0x10000: return [type | 25] + bigEndian(UInt16(argument))
        case 0x10000..<0x1_0000_0000: return [type | 26] + bigEndian(UInt32(argument))
        default: return [type | 27] + bigEndian(argument)
        }
    }
}

/// The integer's bytes, most significant first.
public func bigEndian(_ value: some FixedWidthInteger) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}
