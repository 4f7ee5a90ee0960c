import Foundation
import Hummingbird
import SesameCore

/// The signed-in user's page: who they are, what they registered, and the way to the registration portal.
struct AccountController {
    let layout: PageLayout
    let signedIn: SignedInUsers
    let policies: PolicyCache
    let clock: any WallClock
    let passwordChange: PasswordChange

    var endpoints: RouteCollection<WebContext> {
        RouteCollection(context: WebContext.self)
            .get("", use: home)
            .get("account", use: account)
            .get("account/password", use: showChange)
            .post("account/password", use: change)
    }

    @Sendable func home(_ request: Request, context: WebContext) async throws -> Response {
        PageRenderer.redirect(to: try await signedIn.user(context) == nil ? "/signin" : "/account")
    }

    @Sendable func account(_ request: Request, context: WebContext) async throws -> Response {
        guard let user = try await signedIn.user(context) else { return PageRenderer.redirect(to: "/signin") }
        let policy = try await policies.policy()
        let expiry = policy.passwordExpiry(of: user, now: clock.now)
        var notice: Any = false
        if let days = expiry.daysLeft, days <= policy.passwordExpiryNoticeDays {
            notice = layout.text("account.expiryNotice", ["days": String(days)], context)
        }
        return try await layout.render("account", titleKey: "account.title", values: [
            "displayName": user.displayName.isEmpty ? user.userID : user.displayName,
            "userID": user.userID,
            "registered": user.registration.isRegistered,
            "expiryNotice": notice,
            "isAdministrator": user.isPrivileged,
            "recoveryCodesLow": RecoveryCodeService.runningLow(user.authentication, under: policy.effective(for: user))
                .map { layout.text("register.recoveryCodes.low", ["count": String($0)], context) } ?? false,
        ], context: context)
    }

    @Sendable func showChange(_ request: Request, context: WebContext) async throws -> Response {
        guard try await signedIn.user(context) != nil else { return PageRenderer.redirect(to: "/signin") }
        return try await layout.render("change-password", titleKey: "change.title", values: ["error": false, "done": false], context: context)
    }

    @Sendable func change(_ request: Request, context: WebContext) async throws -> Response {
        guard let user = try await signedIn.user(context) else { return PageRenderer.redirect(to: "/signin") }
        let errors = try await passwordChange.apply(context.form, to: user, context: context).errors
        return try await layout.render(
            "change-password", titleKey: "change.title", values: ["errors": errors, "error": !errors.isEmpty, "done": errors.isEmpty],
            context: context, status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}
