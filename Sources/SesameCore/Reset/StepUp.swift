import Foundation

/// A signed-in user's recent proof with one of their methods, which opens changes to their methods for ten minutes
/// (docs/behaviour.md#step-up). The web session keeps it; it names its user, so that it never serves another.
public struct StepUpProof: Sendable, Codable, Hashable {
    public let userID: UUID
    public let provedAt: Date

    /// NIST SP 800-63B-4 and Entra both ask for a proof this recent before an authenticator is bound.
    public static let window: TimeInterval = 10 * 60

    public init(userID: UUID, provedAt: Date) {
        self.userID = userID
        self.provedAt = provedAt
    }

    /// Whether it still covers a change by `user` at `now` (a clock set back does not stretch it).
    public func covers(_ user: User, at now: Date) -> Bool {
        userID == user.id && provedAt <= now && now.timeIntervalSince(provedAt) < Self.window
    }
}

/// Whether a signed-in user may change their methods now.
public enum StepUpNeed: Sendable, Hashable {
    /// The change may go on: the session's proof is fresh, or there is nothing to prove with, and then the proof
    /// the password alone earned, for the session to keep.
    case notNeeded(StepUpProof?)
    /// One gate first: the flow to take through the gate pages.
    case verify(ResetFlow)
    /// The account's self-service is blocked (failed proofs, "This wasn't me"): no change until it ends.
    case blocked
    /// Signed in with a passkey, and no other method to prove with: the password must be the other factor, so the
    /// user signs in with it.
    case passwordNeeded
}
