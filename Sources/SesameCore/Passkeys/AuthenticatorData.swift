/// The authenticator's own statement (WebAuthn §6.1): which relying party, what it checked of the user, its counter,
/// and at registration the new credential with its public key.
public struct AuthenticatorData: Sendable {
    public let relyingPartyIDHash: [UInt8]
    public let userPresent: Bool
    public let userVerified: Bool
    /// The credential may be backed up (synced), and is.
    public let backupEligible: Bool
    public let backedUp: Bool
    public let signCount: UInt32
    /// Only at registration.
    public let credential: AttestedCredential?

    public struct AttestedCredential: Sendable {
        public let id: [UInt8]
        /// The COSE key exactly as the authenticator encoded it: what is stored.
        public let publicKeyCOSE: [UInt8]
        public let publicKey: PasskeyPublicKey
    }

    /// WebAuthn caps credential IDs at 1,023 bytes.
    public static let maximumCredentialIDLength = 1_023

    public init(_ bytes: [UInt8]) throws(PasskeyError) {
        guard bytes.count >= 37 else { throw .malformed("authenticator data shorter than 37 bytes") }
        relyingPartyIDHash = Array(bytes.prefix(32))
        let flags = bytes[32]  // trap-safe: 37 bytes checked above
        userPresent = flags & 0x01 != 0
        userVerified = flags & 0x04 != 0
        backupEligible = flags & 0x08 != 0
        backedUp = flags & 0x10 != 0
        signCount = bytes[33..<37].reduce(0) { $0 << 8 | UInt32($1) }
        var offset = 37
        if flags & 0x40 != 0 {
            // AAGUID (16), credential ID length (2), credential ID, COSE key.
            guard bytes.count >= offset + 18 else { throw .malformed("attested credential data ends early") }
            let length = Int(bytes[offset + 16]) << 8 | Int(bytes[offset + 17])
            offset += 18
            guard length > 0, length <= Self.maximumCredentialIDLength, bytes.count - offset >= length else {
                throw .malformed("credential ID length")
            }
            let id = Array(bytes[offset..<(offset + length)])
            offset += length
            var reader = CBORReader(bytes, from: offset)
            let key = try reader.read()
            credential = AttestedCredential(id: id, publicKeyCOSE: Array(bytes[offset..<reader.offset]), publicKey: try PasskeyPublicKey(cose: key))
            offset = reader.offset
        } else {
            credential = nil
        }
        if flags & 0x80 != 0 {
            // Extensions: read to check they are well formed, then ignored (none is requested).
            var reader = CBORReader(bytes, from: offset)
            guard case .map = try reader.read() else { throw .malformed("extensions are not a map") }
            offset = reader.offset
        }
        guard offset == bytes.count else { throw .malformed("bytes after the authenticator data") }
    }
}
