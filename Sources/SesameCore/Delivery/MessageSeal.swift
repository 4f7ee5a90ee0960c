import Foundation

/// Seals queued messages with AES-GCM under a key derived from the server secret, so that a code waiting in the
/// database is no more readable than its HMAC; every instance sharing the secret can open them.
public struct MessageSeal: Sendable {
    private let seal: SecretSeal

    public init(secret: ServerSecret) {
        seal = SecretSeal(secret: secret, label: "sesame outbox v1")
    }

    public func seal(_ message: OutgoingMessage, id: UUID) throws -> Data {
        try seal.seal(try JSONEncoder().encode(message), context: id.uuidString)
    }

    /// The message sealed for `id`; throws when it was sealed for another message or under another secret.
    public func open(_ sealed: Data, id: UUID) throws -> OutgoingMessage {
        try JSONDecoder().decode(OutgoingMessage.self, from: try seal.open(sealed, context: id.uuidString))
    }
}
