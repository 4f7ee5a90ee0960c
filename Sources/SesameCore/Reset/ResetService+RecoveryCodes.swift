import Foundation

/// The recovery-code gate (docs/behaviour.md#recovery-codes): one typed code, checked with one Argon2id computation
/// and spent atomically; a wrong one is a failed identity proof like a wrong SMS code.
extension ResetService {
    public func useRecoveryCode(_ typed: String, in flow: ResetFlow) async throws -> GateStep {
        try await turns.withTurn(flow.userID.uuidString) { try await useRecoveryCodeInTurn(typed, in: flow) }
    }

    func useRecoveryCodeInTurn(_ typed: String, in flow: ResetFlow) async throws -> GateStep {
        guard !flow.hasExpired(at: clock.now) else { return .expired }
        guard case .recoveryCode = flow.challenge else { return .waiting(flow) }
        let (user, policy) = try await context(of: flow)
        if try await isBlocked(user, from: flow.clientAddress) { return try await endBlocked(flow, user: user, option: .recoveryCode) }
        switch try await recoveryCodes.use(typed, by: user, policy: policy) {
        case .accepted:
            return passed(flow, user: user, policy: policy)
        case .malformed:
            // As a code of the wrong shape: nothing was compared, so nothing is counted.
            return .wrong(flow, attemptsLeft: nil, view: view(of: flow, user: user, policy: policy))
        case .wrong:
            guard try await failedProof(flow, user: user, option: .recoveryCode) else { return .blocked }
            return .wrong(flow, attemptsLeft: nil, view: view(of: flow, user: user, policy: policy))
        }
    }
}
