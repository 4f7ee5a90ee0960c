import CArgon2
import Dispatch
import Glibc
import SesameCore

/// Argon2id through Debian's libargon2, the reference implementation.
public struct Argon2idHasher: PasswordHasher {
    public let parameters: Argon2Parameters
    private let random: any RandomSource
    private let turns: Argon2Turns
    /// Whether each hash maps its memory in huge pages and unmaps it after, rather than leaving it to malloc.
    public let mapsItsMemory: Bool

    /// At most `concurrency` hashes run at once, by default one per processor (docs/security.md#argon2id-memory).
    public init(
        parameters: Argon2Parameters = .default, random: any RandomSource = SystemRandomSource(),
        concurrency: Int = sysconf(Int32(_SC_NPROCESSORS_ONLN)), mapsItsMemory: Bool = TransparentHugePages.available
    ) {
        self.parameters = parameters
        self.random = random
        turns = Argon2Turns(count: concurrency)
        self.mapsItsMemory = mapsItsMemory
    }

    public func hash(_ secret: String) async throws -> String {
        let salt = random.bytes(Argon2Parameters.saltLength)
        return try await inTurn { try hashNow(secret, salt: salt) }
    }

    public func verify(_ secret: String, against hash: String) async -> Bool {
        guard let stored = Argon2PHC(hash) else { return false }
        return (try? await inTurn { verify(secret, against: stored) }) ?? false
    }

    public func needsRehash(_ hash: String) -> Bool {
        Argon2Parameters(phc: hash) != parameters
    }

    /// Hashes on the calling thread, whatever else is hashing: for benchmarks and command-line tools that have nothing
    /// else to do.
    public func hashNow(_ secret: String, salt: [UInt8]) throws(Argon2Error) -> String {
        var output = [UInt8](repeating: 0, count: Argon2Parameters.hashLength)
        let status = run(secret, salt: salt, parameters: parameters, output: &output) { argon2_ctx($0, Argon2_id) }
        guard status == ARGON2_OK.rawValue else { throw Argon2Error(status: status) }
        return Argon2PHC(parameters: parameters, salt: salt, hash: output).text
    }

    /// libargon2 compares the result with the stored hash in constant time.
    private func verify(_ secret: String, against stored: Argon2PHC) -> Bool {
        var output = [UInt8](repeating: 0, count: stored.hash.count)
        let status = stored.hash.withUnsafeBufferPointer { expected in
            run(secret, salt: stored.salt, parameters: stored.parameters, output: &output) { context in
                expected.withMemoryRebound(to: CChar.self) { argon2id_verify_ctx(context, $0.baseAddress) }
            }
        }
        return status == ARGON2_OK.rawValue
    }

    /// Fills libargon2's context and runs `compute`.
    private func run(
        _ secret: String, salt: [UInt8], parameters: Argon2Parameters, output: inout [UInt8],
        compute: (UnsafeMutablePointer<argon2_context>) -> Int32
    ) -> Int32 {
        var password = Array(secret.utf8)
        var salt = salt
        return password.withUnsafeMutableBufferPointer { password in
            salt.withUnsafeMutableBufferPointer { salt in
                output.withUnsafeMutableBufferPointer { output in
                    var context = argon2_context(
                        out: output.baseAddress, outlen: UInt32(output.count), pwd: password.baseAddress, pwdlen: UInt32(password.count),
                        salt: salt.baseAddress, saltlen: UInt32(salt.count), secret: nil, secretlen: 0, ad: nil, adlen: 0,
                        t_cost: parameters.iterations, m_cost: parameters.memoryKiB, lanes: parameters.parallelism,
                        // One thread whatever the lanes (the hash is the same): libargon2 then starts no threads of its
                        // own, which a failure to start one would leave running, and a hash takes one processor.
                        threads: 1, version: ARGON2_VERSION_13.rawValue,
                        allocate_cbk: mapsItsMemory ? sesame_argon2_map : nil, free_cbk: mapsItsMemory ? sesame_argon2_unmap : nil,
                        flags: sesame_argon2_default_flags)
                    return compute(&context)
                }
            }
        }
    }

    /// Each hash takes tens of milliseconds of processor time: it waits for its turn, then runs on Dispatch's global
    /// queue rather than on a Swift concurrency thread or an event loop, which must never block.
    private func inTurn<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        await turns.take()
        defer { turns.giveBack() }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}

public struct Argon2Error: Error, CustomStringConvertible {
    public let status: Int32
    public var description: String { "argon2: " + String(cString: argon2_error_message(status)) }
}
