import Foundation

/// A temporary access pass at a reset: it passes every gate at once, and a wrong one is a failed identity proof like
/// a wrong code (docs/behaviour.md#temporary-access-pass).
extension ResetService {
    public func redeemAccessPass(_ typed: String, in flow: ResetFlow) async throws -> GateStep {
        try await turns.withTurn(flow.userID.uuidString) { try await redeemAccessPassInTurn(typed, in: flow) }
    }

    func redeemAccessPassInTurn(_ typed: String, in flow: ResetFlow) async throws -> GateStep {
        guard !flow.hasExpired(at: clock.now) else { return .expired }
        let (user, policy) = try await context(of: flow)
        // As for codes: a pass typed after the block proves nothing, and is not even checked.
        if try await isBlocked(user, from: flow.clientAddress) { return try await endBlocked(flow, user: user, option: .accessPass) }
        switch try await accessPasses.redeem(typed, by: user) {
        case .accepted(let passID):
            var flow = flow
            flow.passWithAccessPass(passID, at: clock.now)
            return .passed(flow, options: [])
        case .malformed:
            // Not a pass at all proves nothing either way, as a malformed code does not.
            return .wrong(flow, attemptsLeft: nil, view: view(of: flow, user: user, policy: policy))
        case .wrong:
            guard try await failedProof(flow, user: user, option: .accessPass) else { return .blocked }
            return .wrong(flow, attemptsLeft: nil, view: view(of: flow, user: user, policy: policy))
        }
    }
}
