import Foundation

/// One-time code challenges. The two state changes are atomic, whatever the number of server instances.
public protocol CodeStore: Sendable {
    func insertChallenge(_ challenge: CodeChallenge) async throws
    func challenge(id: UUID) async throws -> CodeChallenge?
    /// Takes one attempt if the challenge is unused, unexpired at `now` and has attempts left, and returns it with
    /// the attempts that remain after this one; `nil` when no attempt may be taken.
    func takeAttempt(challengeID: UUID, now: Date) async throws -> CodeChallenge?
    /// Marks the challenge used; `false` if it already was (only one caller can ever get `true`).
    func consumeChallenge(id: UUID, now: Date) async throws -> Bool
    /// Deletes challenges that expired before `date`; returns how many.
    func deleteChallenges(expiredBefore date: Date) async throws -> Int
}
