import Foundation

/// Temporary access passes, one per user at most (docs/behaviour.md#temporary-access-pass).
public protocol AccessPassStore: Sendable {
    /// Keeps `pass` as the user's pass, replacing any other.
    func saveAccessPass(_ pass: TemporaryAccessPass) async throws
    /// The user's pass, used or expired included.
    func accessPass(ofUser id: UUID) async throws -> TemporaryAccessPass?
    /// Uses the pass `passID` once, in one statement: whether it was usable at `now`. A single-use pass is marked
    /// used, so that of two requests with it only one passes.
    func useAccessPass(_ passID: UUID, now: Date) async throws -> Bool
    func deleteAccessPass(ofUser id: UUID) async throws
    /// The sweeper's: passes expired before `date`.
    func deleteAccessPasses(expiredBefore date: Date) async throws -> Int
}
