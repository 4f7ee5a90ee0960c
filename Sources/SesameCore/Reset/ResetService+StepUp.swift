import Foundation

/// Step-up before a change of methods (docs/behaviour.md#step-up): the reset's gates, one of them, for a user who
/// is already signed in, so that a password alone — phished, guessed, reused — cannot swap the account's recovery
/// methods for the attacker's.
extension ResetService {
    /// What `user` must do before changing a method, given the proof their session holds. Someone with no usable
    /// method nor pass — a first registration, or an administrator cleared them — has nothing to prove with: the
    /// password is the only factor, and the answer carries a proof from it, so that the methods of a first
    /// registration can follow one another (the first of them would otherwise be asked for at once). Whether
    /// Finish was ever pressed does not matter: an administrator's "register again", or a registration left
    /// unfinished, keeps methods that a reset would take. A temporary access pass proves like any method. While the
    /// account's self-service is blocked, no change is made at all: "This wasn't me" must stop whoever knows the
    /// password.
    /// `clientAddress` is where the step-up's wrong proofs count, as a reset's (docs/security.md#malicious-lockout).
    /// `passkeySignIn`: the session was opened with a passkey, which then cannot be its second proof too; a user with
    /// nothing else to prove with signs in with the password instead.
    public func stepUp(for user: User, proof: StepUpProof?, clientAddress: String, passkeySignIn: Bool = false) async throws -> StepUpNeed {
        let now = clock.now
        if try await isBlocked(user, from: clientAddress) { return .blocked }
        if let proof, proof.covers(user, at: now) { return .notNeeded(nil) }
        let policy = try await policy()
        let excluded: Set<AuthenticationMethod> = passkeySignIn ? [.passkey] : []
        if options(for: user, policy: policy, excluding: excluded).isEmpty, try await accessPasses.usablePass(of: user) == nil {
            return passkeySignIn ? .passwordNeeded : .notNeeded(StepUpProof(userID: user.id, provedAt: now))
        }
        return .verify(ResetFlow(
            typedUserID: user.userID, userID: user.id, startedAt: now, clientAddress: clientAddress, purpose: .stepUp,
            excluded: passkeySignIn ? excluded : nil))
    }

    /// The proof a step-up flow earned, dated when its gate was passed, once passed by the signed-in `user` who is
    /// not blocked meanwhile; `nil` otherwise.
    public func proof(of flow: ResetFlow, by user: User) async throws -> StepUpProof? {
        guard flow.isStepUp, flow.userID == user.id, !flow.hasExpired(at: clock.now), let passedAt = flow.lastPassedAt else { return nil }
        guard try await hasPassedGates(flow, user: user, policy: try await policy()), try await !isBlocked(user, from: flow.clientAddress) else { return nil }
        return StepUpProof(userID: user.id, provedAt: passedAt)
    }
}
