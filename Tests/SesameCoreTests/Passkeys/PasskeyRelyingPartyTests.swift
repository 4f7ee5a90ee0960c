import Crypto
import Foundation
import SesameCore
import SesameTestSupport
import Testing

/// Every WebAuthn check the relying party makes (docs/security.md#passkeys), each met by bytes a real key signed:
/// the accepted ceremony first, then one thing wrong at a time.
@Suite struct PasskeyRelyingPartyTests {
    let party = PasskeyRelyingParty(id: "sspr.contoso.com", origin: "https://sspr.contoso.com")
    let challenge = Array(repeating: UInt8(42), count: 32)

    func register(_ authenticator: SoftwareAuthenticator, flags: UInt8 = SoftwareAuthenticator.presentAndVerified, rpID: String? = nil, origin: String? = nil, type: String = "webauthn.create", challenge: [UInt8]? = nil) throws -> PasskeyRelyingParty.Registration {
        try party.register(
            attestationObject: authenticator.attestationObject(rpID: rpID ?? party.id, flags: flags),
            clientDataJSON: SoftwareAuthenticator.clientData(type: type, challenge: challenge ?? self.challenge, origin: origin ?? party.origin),
            challenge: self.challenge)
    }

    @Test(arguments: ["es256", "edDSA", "rs256"]) func aRegistrationAndAnAssertionAreAccepted(_ kind: String) throws {
        var authenticator = kind == "es256" ? SoftwareAuthenticator.es256() : kind == "edDSA" ? .edDSA() : try .rs256()
        let registration = try register(authenticator)
        #expect(registration.credentialID == authenticator.credentialID)
        #expect(registration.algorithm == ["es256": -7, "edDSA": -8, "rs256": -257][kind])
        let client = SoftwareAuthenticator.clientData(type: "webauthn.get", challenge: challenge, origin: party.origin)
        let (data, signature) = try authenticator.assertion(rpID: party.id, clientData: client)
        let accepted = try party.authenticate(
            authenticatorData: data, clientDataJSON: client, signature: signature, challenge: challenge,
            publicKeyCOSE: registration.publicKeyCOSE, storedSignCount: registration.signCount, storedBackupEligible: registration.backupEligible)
        #expect(accepted.signCount == 1 && !accepted.backedUp)
        // The same signature over other bytes, or another key's, is refused.
        var other = SoftwareAuthenticator.es256()
        let (_, foreign) = try other.assertion(rpID: party.id, clientData: client)
        #expect(throws: PasskeyError.badSignature) {
            try party.authenticate(
                authenticatorData: data, clientDataJSON: client, signature: foreign, challenge: challenge,
                publicKeyCOSE: registration.publicKeyCOSE, storedSignCount: 0, storedBackupEligible: false)
        }
    }

    @Test func aRegistrationIsRefusedForEachWrongField() throws {
        let authenticator = SoftwareAuthenticator.es256()
        #expect(throws: PasskeyError.wrongOrigin) { try register(authenticator, origin: "https://evil.example") }
        #expect(throws: PasskeyError.wrongOrigin) { try register(authenticator, origin: "https://sspr.contoso.com:8443") }
        #expect(throws: PasskeyError.wrongOrigin) { try register(authenticator, origin: "http://sspr.contoso.com") }
        #expect(throws: PasskeyError.wrongRelyingParty) { try register(authenticator, rpID: "contoso.com") }
        #expect(throws: PasskeyError.wrongChallenge) { try register(authenticator, challenge: Array(repeating: 1, count: 32)) }
        #expect(throws: PasskeyError.wrongType) { try register(authenticator, type: "webauthn.get") }
        #expect(throws: PasskeyError.userNotVerified) { try register(authenticator, flags: 0x01) }
        #expect(throws: PasskeyError.userNotPresent) { try register(authenticator, flags: 0x04) }
        #expect(throws: PasskeyError.inconsistentBackupFlags) { try register(authenticator, flags: SoftwareAuthenticator.presentAndVerified | 0x10) }
        #expect(try register(authenticator, flags: SoftwareAuthenticator.presentAndVerified | 0x18).backedUp)
        // The challenge as spelled otherwise (standard base64, padded) is not the challenge, and none may be empty.
        #expect(throws: PasskeyError.wrongChallenge) {
            let padded = "{\"type\":\"webauthn.create\",\"challenge\":\"\(Data(challenge).base64EncodedString())\",\"origin\":\"\(party.origin)\"}"
            _ = try party.register(attestationObject: authenticator.attestationObject(rpID: party.id), clientDataJSON: Array(padded.utf8), challenge: challenge)
        }
        #expect(throws: PasskeyError.wrongChallenge) {
            try party.register(
                attestationObject: authenticator.attestationObject(rpID: party.id),
                clientDataJSON: SoftwareAuthenticator.clientData(type: "webauthn.create", challenge: [], origin: party.origin), challenge: [])
        }
        // Framed by another origin.
        #expect(throws: PasskeyError.wrongOrigin) {
            try party.register(
                attestationObject: authenticator.attestationObject(rpID: party.id),
                clientDataJSON: SoftwareAuthenticator.clientData(type: "webauthn.create", challenge: challenge, origin: party.origin, crossOrigin: true),
                challenge: challenge)
        }
    }

    @Test func anAssertionIsRefusedForEachWrongField() throws {
        var authenticator = SoftwareAuthenticator.edDSA()
        let registration = try register(authenticator)
        func assert(
            origin: String? = nil, rpID: String? = nil, flags: UInt8 = SoftwareAuthenticator.presentAndVerified, type: String = "webauthn.get",
            stored: UInt32 = 0, counting: Bool = true, eligible: Bool = false, tamper: (inout [UInt8], inout [UInt8]) -> Void = { _, _ in }
        ) throws -> PasskeyRelyingParty.Assertion {
            var client = SoftwareAuthenticator.clientData(type: type, challenge: challenge, origin: origin ?? party.origin)
            var (data, signature) = try authenticator.assertion(rpID: rpID ?? party.id, clientData: client, flags: flags, counting: counting)
            tamper(&data, &client)
            return try party.authenticate(
                authenticatorData: data, clientDataJSON: client, signature: signature, challenge: challenge,
                publicKeyCOSE: registration.publicKeyCOSE, storedSignCount: stored, storedBackupEligible: eligible)
        }
        #expect(throws: PasskeyError.wrongOrigin) { try assert(origin: "https://sspr.contoso.com.evil.example") }
        #expect(throws: PasskeyError.wrongRelyingParty) { try assert(rpID: "evil.example") }
        #expect(throws: PasskeyError.userNotVerified) { try assert(flags: 0x01) }
        #expect(throws: PasskeyError.wrongType) { try assert(type: "webauthn.create") }
        // Signed, then changed: the signature covers the authenticator data and the client data's hash.
        #expect(throws: PasskeyError.badSignature) { try assert(tamper: { data, _ in data[36] ^= 0x01 }) }
        #expect(throws: PasskeyError.badSignature) { try assert(tamper: { _, client in client += Array(" ".utf8) }) }
        // Backed up without being eligible, and eligibility other than at registration.
        #expect(throws: PasskeyError.inconsistentBackupFlags) { try assert(flags: SoftwareAuthenticator.presentAndVerified | 0x10) }
        #expect(throws: PasskeyError.inconsistentBackupFlags) { try assert(flags: SoftwareAuthenticator.presentAndVerified | 0x08) }
        let backedUp = try assert(flags: SoftwareAuthenticator.presentAndVerified | 0x18, eligible: true)
        #expect(backedUp.signCount > 0 && backedUp.backedUp, "the backup state to store")
        // The counter: forward is fine, the same or lower is a cloned key; zero on both sides means none is kept.
        let count = try assert(stored: 2).signCount
        #expect(count == authenticator.signCount && count > 2)
        #expect(throws: PasskeyError.counterWentBack) { try assert(stored: count + 5) }
        #expect(throws: PasskeyError.counterWentBack) { try assert(stored: authenticator.signCount, counting: false) }
        authenticator.signCount = 0
        #expect(try assert(stored: 0, counting: false).signCount == 0)
    }

    @Test func unsupportedKeysAreRefused() throws {
        // P-256 under EdDSA's label, and a key on another curve.
        var key = SoftwareAuthenticator.es256().coseKey
        if case .map(var entries) = key, let index = entries.firstIndex(where: { $0.key == CBOR(3) }) {
            entries[index].value = CBOR(-8)
            key = .map(entries)
        }
        #expect(throws: PasskeyError.unsupportedKey) { try PasskeyPublicKey(cose: key) }
        let offCurve = CBOR.map([
            CBOR.Entry(key: CBOR(1), value: CBOR(2)), CBOR.Entry(key: CBOR(3), value: CBOR(-7)), CBOR.Entry(key: CBOR(-1), value: CBOR(1)),
            CBOR.Entry(key: CBOR(-2), value: .bytes(Array(repeating: 1, count: 32))), CBOR.Entry(key: CBOR(-3), value: .bytes(Array(repeating: 2, count: 32))),
        ])
        #expect(throws: PasskeyError.unsupportedKey) { try PasskeyPublicKey(cose: offCurve) }
        // Ed25519 keys a signature can be forged for: the identity (order 1), y = 0 (order 4), p - 1 (order 2), and y = p
        // (non-canonical), each with and without the sign bit; and a key under another curve's number.
        let identity = [UInt8(1)] + Array(repeating: 0, count: 31)
        let weak = [identity, Array(repeating: 0, count: 32), [0xEC] + Array(repeating: 0xFF, count: 30) + [0x7F], [0xED] + Array(repeating: 0xFF, count: 30) + [0x7F]]
        for x in weak + weak.map({ Array($0.dropLast()) + [($0.last ?? 0) | 0x80] }) {
            let key = CBOR.map([
                CBOR.Entry(key: CBOR(1), value: CBOR(1)), CBOR.Entry(key: CBOR(3), value: CBOR(-8)), CBOR.Entry(key: CBOR(-1), value: CBOR(6)),
                CBOR.Entry(key: CBOR(-2), value: .bytes(x)),
            ])
            #expect(throws: PasskeyError.unsupportedKey, "\(x)") { try PasskeyPublicKey(cose: key) }
        }
        let genuine = SoftwareAuthenticator.edDSA().coseKey
        #expect(throws: Never.self) { try PasskeyPublicKey(cose: genuine) }
        var otherCurve = genuine
        if case .map(var entries) = otherCurve, let index = entries.firstIndex(where: { $0.key == CBOR(-1) }) {
            entries[index].value = CBOR(5)
            otherCurve = .map(entries)
        }
        #expect(throws: PasskeyError.unsupportedKey) { try PasskeyPublicKey(cose: otherCurve) }
    }

    @Test func theRelyingPartyComesFromThePublicURL() {
        #expect(PasskeyRelyingParty(publicURL: "https://SSPR.Contoso.com/")?.origin == "https://sspr.contoso.com")
        #expect(PasskeyRelyingParty(publicURL: "https://sspr.contoso.com:443")?.origin == "https://sspr.contoso.com")
        #expect(PasskeyRelyingParty(publicURL: "http://localhost:8080")?.origin == "http://localhost:8080")
        #expect(PasskeyRelyingParty(publicURL: "http://localhost:8080")?.id == "localhost")
        #expect(PasskeyRelyingParty(publicURL: "ftp://sspr.contoso.com") == nil)
    }
}

/// The CBOR reader's bounds: what an attacker could send instead of an authenticator's bytes.
@Suite struct CBORReaderTests {
    @Test func whatTheWriterWritesReadsBack() throws {
        let value = CBOR.map([
            CBOR.Entry(key: CBOR(1), value: CBOR(-257)), CBOR.Entry(key: .text("fmt"), value: .text("none")),
            CBOR.Entry(key: CBOR(-3), value: .array([.bytes([1, 2, 3]), .bool(true), .null, .unsigned(UInt64.max)])),
        ])
        #expect(try CBORReader.decode(CBORWriter.encode(value)) == value)
        #expect(value[label: 1]?.integer == -257 && value["fmt"]?.textString == "none")
    }

    @Test func malformedInputsAreRefusedWithoutAllocatingTheirClaims() {
        let refused: [[UInt8]] = [
            [],
            [0x5B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],  // a byte string of 2^64-1 bytes
            [0x9B, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00],  // an array of 2^32 items
            [0x5F, 0x41, 0x00, 0xFF],  // indefinite length
            [0xC2, 0x40],  // a tag
            [0xF9, 0x3C, 0x00],  // a half float
            [0x62, 0xC3, 0x28],  // text that is not UTF-8
            [0xA2, 0x01, 0x01, 0x01, 0x02],  // a repeated key
            [0x01, 0x02],  // bytes after the item
            [0x1C],  // reserved argument
            Array(repeating: 0x81, count: 20) + [0x00],  // nested 21 deep
            [0x99, 0x02, 0x00] + Array(repeating: 0x00, count: 512),  // 513 items
        ]
        for bytes in refused {
            #expect(throws: PasskeyError.self, "\(bytes.prefix(12))") { try CBORReader.decode(bytes) }
        }
    }

    @Test func truncatedAuthenticatorDataIsRefused() throws {
        let whole = SoftwareAuthenticator.es256().authenticatorData(rpID: "sspr.contoso.com", flags: 0x05, withCredential: true)
        #expect(try AuthenticatorData(whole).credential != nil)
        for length in [0, 36, 37, 54, 55, 70, whole.count - 1] {
            #expect(throws: PasskeyError.self) { try AuthenticatorData(Array(whole.prefix(length))) }
        }
        #expect(throws: PasskeyError.self) { try AuthenticatorData(whole + [0]) }
    }
}
