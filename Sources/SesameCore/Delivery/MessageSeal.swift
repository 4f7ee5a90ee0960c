import Crypto
import Foundation

/// Seals queued messages with AES-GCM under a key derived from the server secret, so that a code waiting in the
/// database is no more readable than its HMAC; every instance sharing the secret can open them.
public struct MessageSeal: Sendable {
    private let key: SymmetricKey

    public init(secret: ServerSecret) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: secret.key, info: Data("sesame outbox v1".utf8), outputByteCount: 32)
    }

    public func seal(_ message: OutgoingMessage, id: UUID) throws -> Data {
        let box = try AES.GCM.seal(try JSONEncoder().encode(message), using: key, authenticating: Data(id.uuidString.utf8))
        // AES.GCM.seal uses a 12-byte nonce, for which the combined form always exists.
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return combined
    }

    /// The message sealed for `id`; throws when it was sealed for another message or under another secret.
    public func open(_ sealed: Data, id: UUID) throws -> OutgoingMessage {
        let plain = try AES.GCM.open(try AES.GCM.SealedBox(combined: sealed), using: key, authenticating: Data(id.uuidString.utf8))
        return try JSONDecoder().decode(OutgoingMessage.self, from: plain)
    }
}
