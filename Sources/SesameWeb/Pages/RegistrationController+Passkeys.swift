import Foundation
import Hummingbird
import Logging
import SesameCore

/// Passkeys at registration (docs/behaviour.md#passkeys): the user's passkeys with their names and last use, a form
/// whose script asks the browser for a new one, and a button to remove each. Every page here changes methods, so
/// each asks for a step-up first (docs/behaviour.md#step-up).
extension RegistrationController {
    @Sendable func passkeysForm(_ request: Request, context: WebContext) async throws -> Response {
        try await withPasskeys(request, context) { user, _, effective in try await passkeysPage(user, effective, error: nil, context: context) }
    }

    @Sendable func addPasskey(_ request: Request, context: WebContext) async throws -> Response {
        try await withMethod(.passkey, request, context) { user, _, effective in
            guard let attestation = PasskeyForm.attestation(context.form) else {
                return try await passkeysPage(user, effective, error: layout.text("passkey.notAccepted", context), context: context)
            }
            switch try await passkeys.register(attestation, name: context.form.text("name"), for: user, requestID: context.requestID) {
            case .registered:
                return try await layout.render("register-thanks", titleKey: "register.thanks", context: context)
            case .refused(let refusal):
                context.logger.notice("passkey registration refused", metadata: ["reason": "\(refusal)", "support_code": "\(context.requestID)"])
                return try await passkeysPage(user, effective, error: layout.text(refusal.messageKey, context), context: context)
            }
        }
    }

    @Sendable func removePasskey(_ request: Request, context: WebContext) async throws -> Response {
        try await withPasskeys(request, context) { user, _, _ in
            if let id = UUID(uuidString: context.form.text("id")) {
                let current = context.session.map { SessionMiddleware.digest($0.key) }
                _ = try await passkeys.remove(id, of: user, by: user.userID, keepingSession: current, requestID: context.requestID)
            }
            return PageRenderer.redirect(to: "/register/passkey")
        }
    }

    private func passkeysPage(_ user: User, _ effective: EffectivePolicy, error: String?, context: WebContext) async throws -> Response {
        let registered = try await passkeys.passkeys(of: user)
        let options = effective.methods.contains(.passkey) ? try await passkeys.creationOptions(for: user) : nil
        return try await layout.render("register-passkey", titleKey: "register.passkey.heading", values: [
            "passkeys": registered.map { passkey -> [String: Any] in
                [
                    "id": passkey.id.uuidString, "name": passkey.name, "created": AdminUsersController.timestamp(passkey.createdAt),
                    "lastUsed": passkey.lastUsedAt.map(AdminUsersController.timestamp) ?? layout.text("register.passkey.neverUsed", context),
                    "removeLabel": layout.text("register.passkey.removeNamed", ["name": passkey.name], context),
                ]
            },
            "hasPasskeys": !registered.isEmpty,
            "canAdd": options != nil && registered.count < Passkey.maximumPerUser,
            "options": options.map(PasskeyForm.json) ?? "",
            "defaultName": layout.text("register.passkey.defaultName", ["number": String(registered.count + 1)], context),
            "error": error ?? (options == nil && !passkeys.isAvailable ? layout.text("passkey.unavailable", context) : false),
        ], context: context, status: error == nil ? .ok : .unprocessableContent)
    }
}
