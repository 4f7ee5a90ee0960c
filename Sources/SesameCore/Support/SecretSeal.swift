import Crypto
import Foundation

/// AES-GCM under a key derived from the server secret with a label of its own, so that what one use seals no other
/// use opens; every instance sharing the secret opens what another sealed (docs/security.md#authenticator-app).
public struct SecretSeal: Sendable {
    private let key: SymmetricKey

    /// - Parameter label: the derivation's label, one per use (`sesame outbox v1`, `sesame authenticator v1`).
    public init(secret: ServerSecret, label: String) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: secret.key, info: Data(label.utf8), outputByteCount: 32)
    }

    /// `plain` sealed for `context`: only the same context opens it.
    public func seal(_ plain: Data, context: String) throws -> Data {
        let box = try AES.GCM.seal(plain, using: key, authenticating: Data(context.utf8))
        // AES.GCM.seal uses a 12-byte nonce, for which the combined form always exists.
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return combined
    }

    /// What was sealed for `context`; throws when it was sealed for another context, under another label or secret.
    public func open(_ sealed: Data, context: String) throws -> Data {
        try AES.GCM.open(try AES.GCM.SealedBox(combined: sealed), using: key, authenticating: Data(context.utf8))
    }
}
