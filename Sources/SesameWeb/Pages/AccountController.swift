import Foundation
import Hummingbird
import SesameCore

/// The signed-in user's page: who they are, what they registered, and the way to the registration portal.
struct AccountController {
    let pages: Pages
    let passwordChanges: PasswordChangeService

    var endpoints: RouteCollection<WebContext> {
        RouteCollection(context: WebContext.self)
            .get("", use: home)
            .get("account", use: account)
            .get("account/password", use: showChange)
            .post("account/password", use: change)
    }

    @Sendable func home(_ request: Request, context: WebContext) async throws -> Response {
        PageRenderer.redirect(to: try await pages.signedInUser(context) == nil ? "/signin" : "/account")
    }

    @Sendable func account(_ request: Request, context: WebContext) async throws -> Response {
        guard let user = try await pages.signedInUser(context) else { return PageRenderer.redirect(to: "/signin") }
        let policy = try await pages.policy()
        let expiry = policy.passwordExpiry(of: user, now: pages.clock.now)
        var notice: Any = false
        if let days = expiry.daysLeft, days <= policy.passwordExpiryNoticeDays {
            notice = pages.text("account.expiryNotice", ["days": String(days)], context)
        }
        return try await pages.render("account", titleKey: "account.title", values: [
            "displayName": user.displayName.isEmpty ? user.userID : user.displayName,
            "userID": user.userID,
            "registered": user.registration.isRegistered,
            "expiryNotice": notice,
            "isAdministrator": user.isPrivileged,
        ], context: context)
    }

    @Sendable func showChange(_ request: Request, context: WebContext) async throws -> Response {
        guard try await pages.signedInUser(context) != nil else { return PageRenderer.redirect(to: "/signin") }
        return try await pages.render("change-password", titleKey: "change.title", values: ["error": false, "done": false], context: context)
    }

    @Sendable func change(_ request: Request, context: WebContext) async throws -> Response {
        guard let user = try await pages.signedInUser(context) else { return PageRenderer.redirect(to: "/signin") }
        let errors = try await PasswordChange(pages: pages, service: passwordChanges).apply(context.form, to: user, context: context)
        return try await pages.render(
            "change-password", titleKey: "change.title", values: ["errors": errors, "error": !errors.isEmpty, "done": errors.isEmpty],
            context: context, status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}
