import CArgon2
import Dispatch
import SesameCore

/// Argon2id through Debian's libargon2, the reference implementation.
///
/// Each hash takes tens of milliseconds of CPU, so the work runs on Dispatch's global queue rather than on a Swift
/// concurrency thread or an event loop, which must never block.
public struct Argon2idHasher: PasswordHasher {
    public let parameters: Argon2Parameters
    private let random: any RandomSource

    public init(parameters: Argon2Parameters = .default, random: any RandomSource = SystemRandomSource()) {
        self.parameters = parameters
        self.random = random
    }

    public func hash(_ secret: String) async throws -> String {
        let salt = random.bytes(Argon2Parameters.saltLength)
        return try await offload { try hashNow(secret, salt: salt) }
    }

    public func verify(_ secret: String, against hash: String) async -> Bool {
        (try? await offload { verifyNow(secret, against: hash) }) ?? false
    }

    public func needsRehash(_ hash: String) -> Bool {
        Argon2Parameters(phc: hash) != parameters
    }

    /// Hashes on the calling thread: for benchmarks and command-line tools that have nothing else to do.
    public func hashNow(_ secret: String, salt: [UInt8]) throws(Argon2Error) -> String {
        let length = argon2_encodedlen(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism,
            UInt32(salt.count), UInt32(Argon2Parameters.hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let password = Array(secret.utf8)
        let status = argon2id_hash_encoded(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism,
            password, password.count, salt, salt.count, Argon2Parameters.hashLength, &encoded, length)
        guard status == ARGON2_OK.rawValue else { throw Argon2Error(status: status) }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Verifies on the calling thread; libargon2 compares in constant time.
    public func verifyNow(_ secret: String, against hash: String) -> Bool {
        guard Argon2Parameters(phc: hash) != nil else { return false }
        let password = Array(secret.utf8)
        return argon2id_verify(hash, password, password.count) == ARGON2_OK.rawValue
    }

    private func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}

public struct Argon2Error: Error, CustomStringConvertible {
    public let status: Int32
    public var description: String { "argon2: " + String(cString: argon2_error_message(status)) }
}
