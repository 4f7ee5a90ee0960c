/// Hashes and checks passwords and security answers. A port of the core so that tests and benchmarks can count work.
public protocol PasswordHasher: Sendable {
    /// A self-describing hash (a PHC string) of `secret`.
    func hash(_ secret: String) async throws -> String
    /// Whether `secret` matches `hash`; a malformed hash is simply not a match.
    func verify(_ secret: String, against hash: String) async -> Bool
    /// Whether `hash` was made with other parameters than today's and should be replaced at the next sign-in.
    func needsRehash(_ hash: String) -> Bool
}
