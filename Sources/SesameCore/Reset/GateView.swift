/// What the page of a flow's current gate shows, decided in the core from one reading of the user and the policy:
/// the step and how many there are (the organisation's count until a first proof, so that an administrator's
/// second gate tells no outsider who is an administrator), the options left, and where the challenge went, masked
/// like the options, since whoever typed the user ID sees it (docs/security.md#enumeration, docs/behaviour.md#gates).
public struct GateView: Sendable, Hashable {
    /// Every gate is passed: the new password is next.
    public let isComplete: Bool
    public let step: Int
    public let gates: Int
    /// The options, while no method is chosen.
    public let options: [GateOption]
    /// The masked phone or address of the challenge under way; empty for none or for questions.
    public let destination: String
}

extension ResetService {
    public func gateView(of flow: ResetFlow) async throws -> GateView {
        let (user, policy) = try await context(of: flow)
        return view(of: flow, user: user, policy: policy)
    }

    func view(of flow: ResetFlow, user: User, policy: Policy) -> GateView {
        let gates = flow.gates(required: policy.effective(for: user).methodsRequired)
        let shownGates = flow.passed.isEmpty ? min(flow.gates(required: policy.methodsRequired), gates) : gates
        let destination = switch flow.challenge {
        case .confirmPhone(let option):
            phoneOnFile(for: option, of: user, policy: policy)?.masked ?? ""
        case .code(let option, _, let destination):
            option == .email ? (try? EmailAddress(destination))?.masked ?? "" : (try? PhoneNumber(international: destination))?.masked ?? ""
        case .questions, .authenticatorCode, .recoveryCode, .passkey, nil: ""
        }
        return GateView(
            isComplete: flow.hasPassedGates(required: gates), step: flow.passed.count + 1, gates: shownGates,
            options: flow.challenge == nil ? options(for: user, policy: policy, excluding: flow.usedMethods) : [], destination: destination)
    }
}
