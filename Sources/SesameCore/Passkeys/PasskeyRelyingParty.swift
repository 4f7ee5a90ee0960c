import Crypto
import Foundation

/// Sesame as a WebAuthn relying party (docs/security.md#passkeys): checks a registration (`navigator.credentials
/// .create`) and an assertion (`navigator.credentials.get`) as WebAuthn Level 3 §7.1 and §7.2 say, with user
/// verification required and attestation not asked for ("none": Sesame trusts no authenticator maker, only the
/// user's possession of the key).
public struct PasskeyRelyingParty: Sendable {
    /// The relying party ID: `SESAME_PUBLIC_URL`'s host.
    public let id: String
    /// `SESAME_PUBLIC_URL`'s origin (scheme, host, port as the browser writes it), compared exactly.
    public let origin: String

    public init(id: String, origin: String) {
        self.id = id
        self.origin = origin
    }

    /// The relying party of a public URL such as `https://sspr.contoso.com` or `http://localhost:8080`: its host, and
    /// its origin as a browser writes it (lower-case host, the port only when it is not the scheme's own).
    public init?(publicURL: String) {
        guard let url = URLComponents(string: publicURL), let scheme = url.scheme?.lowercased(), ["https", "http"].contains(scheme),
            let host = url.host?.lowercased(), !host.isEmpty
        else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        id = host
        origin = "\(scheme)://\(host)" + (url.port.map { $0 == defaultPort ? "" : ":\($0)" } ?? "")
    }

    /// A new passkey, as a registration proves it.
    public struct Registration: Sendable {
        public let credentialID: [UInt8]
        public let publicKeyCOSE: [UInt8]
        public let algorithm: Int
        public let signCount: UInt32
        public let backupEligible: Bool
        public let backedUp: Bool
    }

    /// Checks a registration made against `challenge`.
    public func register(attestationObject: [UInt8], clientDataJSON: [UInt8], challenge: [UInt8]) throws(PasskeyError) -> Registration {
        try check(ClientData(json: clientDataJSON), type: "webauthn.create", challenge: challenge)
        // The attestation statement is not verified: "none" was asked for, and a maker's certificate would prove
        // nothing Sesame relies on. Its shape is checked all the same.
        let attestation = try CBORReader.decode(attestationObject)
        guard attestation["fmt"]?.textString != nil, case .map? = attestation["attStmt"], let authData = attestation["authData"]?.byteString else {
            throw .malformed("the attestation object lacks fmt, attStmt or authData")
        }
        let data = try AuthenticatorData(authData)
        try check(data)
        guard let credential = data.credential else { throw .unsupportedKey }
        return Registration(
            credentialID: credential.id, publicKeyCOSE: credential.publicKeyCOSE, algorithm: credential.publicKey.algorithm,
            signCount: data.signCount, backupEligible: data.backupEligible, backedUp: data.backedUp)
    }

    /// What an accepted assertion says of the passkey now: the counter and backup state to store.
    public struct Assertion: Sendable, Hashable {
        public let signCount: UInt32
        public let backedUp: Bool
    }

    /// Checks an assertion made against `challenge` by the passkey whose key, last counter and backup eligibility are
    /// given.
    public func authenticate(
        authenticatorData: [UInt8], clientDataJSON: [UInt8], signature: [UInt8], challenge: [UInt8], publicKeyCOSE: [UInt8],
        storedSignCount: UInt32, storedBackupEligible: Bool
    ) throws(PasskeyError) -> Assertion {
        try check(ClientData(json: clientDataJSON), type: "webauthn.get", challenge: challenge)
        let data = try AuthenticatorData(authenticatorData)
        try check(data)
        // Eligibility is fixed when the credential is made (WebAuthn L3 §6.1.3).
        guard data.backupEligible == storedBackupEligible else { throw .inconsistentBackupFlags }
        let key = try PasskeyPublicKey(stored: publicKeyCOSE)
        guard key.isValidSignature(signature, for: authenticatorData + Array(SHA256.hash(data: clientDataJSON))) else { throw .badSignature }
        // A counter of zero on both sides means the authenticator keeps none (synced passkeys); otherwise it must
        // move forward, or two copies of the key are in use (WebAuthn §6.1.1).
        if data.signCount != 0 || storedSignCount != 0, data.signCount <= storedSignCount { throw .counterWentBack }
        return Assertion(signCount: data.signCount, backedUp: data.backedUp)
    }

    /// Challenges are at least 16 random bytes (WebAuthn §13.4.3): an empty one would match an empty answer.
    public static let minimumChallengeLength = 16

    private func check(_ client: ClientData, type: String, challenge: [UInt8]) throws(PasskeyError) {
        // Byte for byte, as WebAuthn compares them: no Unicode equivalence, no second spelling of the challenge.
        guard client.type.utf8.elementsEqual(type.utf8) else { throw .wrongType }
        guard challenge.count >= Self.minimumChallengeLength, ConstantTime.equal(challenge.base64URL, client.challenge) else { throw .wrongChallenge }
        guard client.origin.utf8.elementsEqual(origin.utf8), client.crossOrigin != true else { throw .wrongOrigin }
    }

    private func check(_ data: AuthenticatorData) throws(PasskeyError) {
        guard data.relyingPartyIDHash == Array(SHA256.hash(data: Array(id.utf8))) else { throw .wrongRelyingParty }
        guard data.userPresent else { throw .userNotPresent }
        guard data.userVerified else { throw .userNotVerified }
        guard data.backupEligible || !data.backedUp else { throw .inconsistentBackupFlags }
    }
}
