import Foundation

/// The passkey gate (docs/behaviour.md#passkeys): the browser signs this flow's challenge with one of the user's
/// passkeys. A refused answer to this flow's challenge is a failed identity proof like a wrong code; an answer to
/// another challenge (an old page, another flow's) is not counted, and spends nothing.
extension ResetService {
    /// What the gate's page hands `navigator.credentials.get`: a challenge for this flow, and for a step-up the
    /// user's passkeys. A reset's page names none: whoever typed the user ID would learn them, and could aim refused
    /// signatures at them; the browser offers its discoverable passkeys and the server checks whose it is.
    /// `nil` when no passkey gate is under way.
    public func passkeyOptions(for flow: ResetFlow) async throws -> PasskeyRequestOptions? {
        guard flow.challenge == .passkey, !flow.hasExpired(at: clock.now), let user = try await store.user(id: flow.userID) else { return nil }
        return try await passkeys.requestOptions(for: .gate, subject: flow.id.uuidString, user: flow.isStepUp ? user : nil)
    }

    public func usePasskey(_ assertion: PasskeyAssertion, in flow: ResetFlow, requestID: String?) async throws -> GateStep {
        try await turns.withTurn(flow.userID.uuidString) { try await usePasskeyInTurn(assertion, in: flow, requestID: requestID) }
    }

    func usePasskeyInTurn(_ assertion: PasskeyAssertion, in flow: ResetFlow, requestID: String?) async throws -> GateStep {
        guard !flow.hasExpired(at: clock.now) else { return .expired }
        guard flow.challenge == .passkey else { return .waiting(flow) }
        let (user, policy) = try await context(of: flow)
        if try await isBlocked(user, from: flow.clientAddress) { return try await endBlocked(flow, user: user, option: .passkey) }
        switch try await passkeys.authenticate(assertion, for: .gate, subject: flow.id.uuidString, user: user.id, requestID: requestID) {
        case .accepted:
            return passed(flow, user: user, policy: policy)
        case .refused(let refusal):
            if refusal.countsAsFailedProof {
                guard try await failedProof(flow, user: user, option: .passkey) else { return .blocked }
            }
            return .passkeyRefused(flow, refusal, view: view(of: flow, user: user, policy: policy))
        }
    }
}
