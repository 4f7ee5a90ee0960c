/// Why a passkey's registration or assertion was refused (docs/security.md#passkeys). Each case names one check, so
/// that the audit log and the tests say which one failed; a person is only told that the passkey was not accepted.
public enum PasskeyError: Error, Sendable, Hashable {
    /// The bytes are not the CBOR, JSON or binary structure WebAuthn defines, or break one of our bounds.
    case malformed(String)
    /// `clientDataJSON.type` is not the ceremony's (`webauthn.create` or `webauthn.get`).
    case wrongType
    /// The challenge is not the one issued for this ceremony.
    case wrongChallenge
    /// The origin is not exactly Sesame's public origin, or the page was framed by another origin.
    case wrongOrigin
    /// The authenticator data names another relying party.
    case wrongRelyingParty
    /// The user was not present (UP flag clear).
    case userNotPresent
    /// The user was not verified by the authenticator (UV flag clear): a PIN or biometric is required.
    case userNotVerified
    /// A registration without attested credential data, or with another algorithm than ES256, EdDSA or RS256.
    case unsupportedKey
    case badSignature
    /// The signature counter did not move forward: the passkey may have been cloned.
    case counterWentBack
    /// Backed up without being backup eligible, or backup eligibility other than at registration (WebAuthn L3 §6.1).
    case inconsistentBackupFlags
}
