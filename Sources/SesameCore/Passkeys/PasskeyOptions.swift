/// What a page hands `navigator.credentials.create` (WebAuthn L3 §5.4), binary fields in base64url: the page's
/// script turns them into buffers. User verification is required and attestation not asked for
/// (docs/security.md#passkeys).
public struct PasskeyCreationOptions: Sendable, Hashable, Encodable {
    public struct RelyingParty: Sendable, Hashable, Encodable {
        public let id: String
        public let name: String
    }

    public struct UserEntity: Sendable, Hashable, Encodable {
        /// The user handle: the user's UUID, which names nobody (its first bits may be when the account was made,
        /// docs/scale.md#time-ordered-ids).
        public let id: String
        public let name: String
        public let displayName: String
    }

    public struct Parameter: Sendable, Hashable, Encodable {
        public var type = "public-key"
        public let alg: Int
    }

    public struct Selection: Sendable, Hashable, Encodable {
        public var residentKey = "preferred"
        public var userVerification = "required"
    }

    public let challenge: String
    public let rp: RelyingParty
    public let user: UserEntity
    /// ES256, EdDSA, RS256: what ``PasskeyPublicKey`` verifies, in WebAuthn's order of preference.
    public var pubKeyCredParams = [-7, -8, -257].map { Parameter(alg: $0) }
    public var timeout = Int(PasskeyChallenge.lifetime * 1000)
    public var attestation = "none"
    public var authenticatorSelection = Selection()
    /// The user's passkeys, so that one authenticator is not registered twice.
    public let excludeCredentials: [CredentialDescriptor]
}

/// What a page hands `navigator.credentials.get` (WebAuthn L3 §5.5).
public struct PasskeyRequestOptions: Sendable, Hashable, Encodable {
    public let challenge: String
    public let rpId: String
    public var timeout = Int(PasskeyChallenge.lifetime * 1000)
    public var userVerification = "required"
    /// Empty at sign-in, where the authenticator offers the passkeys it holds for Sesame (discoverable credentials).
    public let allowCredentials: [CredentialDescriptor]
}

public struct CredentialDescriptor: Sendable, Hashable, Encodable {
    public var type = "public-key"
    public let id: String

    init(_ passkey: Passkey) {
        id = passkey.credentialID.base64URL
    }
}

/// A registration as the page posts it back (`AuthenticatorAttestationResponse`).
public struct PasskeyAttestation: Sendable, Hashable {
    public let attestationObject: [UInt8]
    public let clientDataJSON: [UInt8]

    public init(attestationObject: [UInt8], clientDataJSON: [UInt8]) {
        self.attestationObject = attestationObject
        self.clientDataJSON = clientDataJSON
    }
}

/// An assertion as the page posts it back (`AuthenticatorAssertionResponse` and the credential's raw ID).
public struct PasskeyAssertion: Sendable, Hashable {
    public let credentialID: [UInt8]
    public let authenticatorData: [UInt8]
    public let clientDataJSON: [UInt8]
    public let signature: [UInt8]
    /// Present for discoverable credentials: must be the passkey's user.
    public let userHandle: [UInt8]?

    public init(credentialID: [UInt8], authenticatorData: [UInt8], clientDataJSON: [UInt8], signature: [UInt8], userHandle: [UInt8]?) {
        self.credentialID = credentialID
        self.authenticatorData = authenticatorData
        self.clientDataJSON = clientDataJSON
        self.signature = signature
        self.userHandle = userHandle
    }
}
