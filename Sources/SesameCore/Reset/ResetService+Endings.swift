import Foundation

/// How a flow that did not succeed ended, for the reset activity report (docs/behaviour.md#endings): each from one
/// reading of the user.
extension ResetService {
    /// Records how a flow ended, with the detail the caller chose ("contact your administrator").
    public func end(_ flow: ResetFlow, detail: ResetDetail, requestID: String? = nil) async throws {
        try await recordEnding(flow, user: try await store.user(id: flow.userID), detail: detail, requestID: requestID)
    }

    /// A flow left unfinished when a new one starts, recorded at the step it reached.
    public func abandon(_ flow: ResetFlow, requestID: String? = nil) async throws {
        let user = try await store.user(id: flow.userID)
        let detail: ResetDetail
        if let option = flow.challenge?.option {
            detail = .abandonedAfterStartingOption(option)
        } else if try await passedEveryGate(flow, user: user) {
            detail = .abandonedBeforeNewPassword
        } else if let last = flow.passed.last {
            detail = .abandonedAfterCompletingOption(last)
        } else {
            detail = .abandonedAfterUserID
        }
        try await recordEnding(flow, user: user, detail: detail, requestID: requestID)
    }

    /// A flow the user cancelled, before every gate was passed or after.
    public func cancel(_ flow: ResetFlow, requestID: String? = nil) async throws {
        let user = try await store.user(id: flow.userID)
        let detail: ResetDetail = try await passedEveryGate(flow, user: user) ? .cancelledBeforeNewPassword : .cancelledBeforeMethods
        try await recordEnding(flow, user: user, detail: detail, requestID: requestID)
    }

    /// Whether every gate is passed; a user deleted meanwhile cannot tell, and ends the request with an error page.
    private func passedEveryGate(_ flow: ResetFlow, user: User?) async throws -> Bool {
        guard let user else { throw StoreError.notFound("user") }
        return try await isVerified(flow, user: user, policy: try await policy())
    }

    /// The report's row for a flow that ended unsuccessfully; a user deleted meanwhile is reported as a user.
    private func recordEnding(_ flow: ResetFlow, user: User?, detail: ResetDetail, requestID: String?) async throws {
        guard !flow.isStepUp else { return }
        metrics.resetEnded(detail.result)
        try await store.appendResetActivity(ResetActivity(
            at: clock.now, userID: flow.typedUserID, role: user?.reportRole ?? "user", methodsUsed: flow.passed, detail: detail, requestID: requestID))
    }
}
