import Foundation
import Hummingbird
import SesameCore

/// Recovery codes at registration (docs/behaviour.md#recovery-codes): a new set shown once, on a page no cache keeps
/// (the security headers' `no-store`), its hashes kept in the session until the user types one back.
extension RegistrationController {
    @Sendable func recoveryCodesForm(_ request: Request, context: WebContext) async throws -> Response {
        try await withMethod(.recoveryCodes, request, context) { user, _, effective in
            try await recoveryCodesPage(user, effective, values: [:], context: context)
        }
    }

    @Sendable func generateRecoveryCodes(_ request: Request, context: WebContext) async throws -> Response {
        try await withMethod(.recoveryCodes, request, context) { user, policy, effective in
            let new = try await service.generateRecoveryCodes()
            context.session?.update { $0.pendingRecoveryCodes = new.hashes }
            let file = ([layout.text("register.recoveryCodes.file", ["organisation": policy.organisationName, "userID": user.userID], context), ""]
                + new.codes.map(\.grouped)).joined(separator: "\n") + "\n"
            return try await recoveryCodesPage(user, effective, values: [
                "shown": true, "codes": new.codes.map(\.grouped),
                "download": "data:text/plain;charset=utf-8," + (file.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""),
                "confirming": true,
            ], context: context)
        }
    }

    @Sendable func confirmRecoveryCodes(_ request: Request, context: WebContext) async throws -> Response {
        try await withMethod(.recoveryCodes, request, context) { user, _, effective in
            guard let pending = context.session?.session.pendingRecoveryCodes else { return PageRenderer.redirect(to: "/register/recovery-codes") }
            switch try await service.confirmRecoveryCodes(context.form.text("code"), of: pending, for: user, requestID: context.requestID) {
            case .saved:
                context.session?.update { $0.pendingRecoveryCodes = nil }
                return try await layout.render("register-thanks", titleKey: "register.thanks", context: context)
            case .refused(let message):
                return try await recoveryCodesPage(user, effective, values: ["confirming": true, "error": layout.text(message, context)], context: context)
            }
        }
    }

    /// The page: what is on file and the button for a new set, or, while a new set waits to be confirmed, its form.
    private func recoveryCodesPage(_ user: User, _ effective: EffectivePolicy, values: [String: Any], context: WebContext) async throws -> Response {
        let left = user.authentication.recoveryCodesLeft
        var all: [String: Any] = [
            "state": left > 0 ? layout.text("register.recoveryCodes.left", ["count": String(left)], context) : layout.text("register.notSet", context),
            "low": recoveryCodesLow(user, effective, context: context),
            "generate": layout.text(left > 0 ? "register.recoveryCodes.regenerate" : "register.recoveryCodes.generate", context),
            "shown": false, "confirming": false, "error": false,
        ]
        all.merge(values) { _, new in new }
        return try await layout.render("register-recovery-codes", titleKey: "register.recoveryCodes.heading", values: all, context: context,
                                       status: values["error"] == nil ? .ok : .unprocessableContent)
    }

    /// "Only 3 recovery codes are left" when few remain (docs/behaviour.md#recovery-codes); `false` otherwise, for
    /// the template.
    func recoveryCodesLow(_ user: User, _ effective: EffectivePolicy, context: WebContext) -> Any {
        RecoveryCodeService.runningLow(user.authentication, under: effective)
            .map { layout.text("register.recoveryCodes.low", ["count": String($0)], context) } ?? false
    }
}
