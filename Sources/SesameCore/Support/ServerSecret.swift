import Crypto
import Foundation

/// The installation's 32-byte secret: the HMAC key for codes and other keyed digests.
///
/// Its description is redacted so that it can never reach a log by accident.
public struct ServerSecret: Sendable, CustomStringConvertible {
    public static let byteCount = 32
    let key: SymmetricKey

    public init(bytes: [UInt8]) throws(ServerSecretError) {
        guard bytes.count == Self.byteCount else { throw .wrongLength(bytes.count) }
        key = SymmetricKey(data: bytes)
    }

    public static func generate(using random: any RandomSource) -> ServerSecret {
        ServerSecret(key: SymmetricKey(data: random.bytes(byteCount)))
    }

    private init(key: SymmetricKey) { self.key = key }

    /// HMAC-SHA256 of `message` under this secret.
    public func mac(_ message: String) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: key))
    }

    /// Constant-time check of a MAC computed by ``mac(_:)``.
    public func isValid(mac: [UInt8], for message: String) -> Bool {
        HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(message.utf8), using: key)
    }

    /// The raw bytes, only for writing the secret file.
    public var bytes: [UInt8] { key.withUnsafeBytes { Array($0) } }

    public var description: String { "ServerSecret(redacted)" }
}

public enum ServerSecretError: Error, Equatable, CustomStringConvertible {
    case wrongLength(Int)

    public var description: String {
        switch self {
        case .wrongLength(let count): "the server secret must be \(ServerSecret.byteCount) bytes, found \(count)"
        }
    }
}
