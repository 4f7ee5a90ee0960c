import Foundation
import SesameArgon2
import SesameCore

/// Argon2id at its cheapest: tests hash many passwords, and the parameters are not what they test.
public let fastHasher: any PasswordHasher = Argon2idHasher(parameters: Argon2Parameters(memoryKiB: 64, iterations: 1, parallelism: 1))

/// The moment tests start at, far from any real date.
public let t0 = Date(timeIntervalSince1970: 1_800_000_000)

/// A test's own failure, with what went wrong.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
