import Foundation
import Hummingbird
import SesameCore

/// The signed-in user's page: who they are, what they registered, the way to the registration portal, and their
/// sessions, any of which they may end (docs/behaviour.md#your-sessions).
struct AccountController {
    let layout: PageLayout
    let signedIn: SignedInUsers
    let policies: PolicyCache
    let clock: any WallClock
    let passwordChange: PasswordChange
    /// The user's sessions, and the audit log their ending goes to.
    let store: any Store

    /// The notices `?done=` may name (docs/security.md#admin-notices).
    static let notices: Set<String> = ["ended", "endedOthers"]

    var endpoints: RouteCollection<WebContext> {
        RouteCollection(context: WebContext.self)
            .get("", use: home)
            .get("account", use: account)
            .get("account/password", use: showChange)
            .post("account/password", use: change)
            .post("account/sessions/end", use: endSession)
            .post("account/sessions/end-others", use: endOtherSessions)
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
            "sessions": try await sessions(of: user, context: context),
            "sessionNotice": AdminNotice.key(request.query["done"], in: "account.sessions", known: Self.notices).map { layout.text($0, context) } ?? false,
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

    // MARK: Sessions

    /// The public ID of the session this request runs in.
    private func currentSessionID(_ context: WebContext) -> String? {
        context.session.map { SessionPublicID.of(key: SessionMiddleware.digest($0.key)) }
    }

    /// The user's live sessions, this one first, then the most recently started: what the browser that signed in
    /// showed of itself (a summary, never the header) and where from.
    private func sessions(of user: User, context: WebContext) async throws -> [[String: Any]] {
        let now = clock.now
        let current = currentSessionID(context)
        let sessions = try await store.sessions(userID: user.id, now: now).compactMap { listed -> (id: String, session: WebSession)? in
            guard let session = try? JSONDecoder().decode(WebSession.self, from: listed.data), !session.outlived(at: now) else { return nil }
            return (listed.publicID, session)
        }
        return sessions.sorted { ($0.id == current ? 1 : 0, $0.session.signedInAt ?? .distantPast) > ($1.id == current ? 1 : 0, $1.session.signedInAt ?? .distantPast) }
            .map { id, session in [
                "id": id, "current": id == current,
                "device": session.device ?? layout.text("account.sessions.unknownDevice", context),
                "address": session.address ?? "", "started": session.signedInAt.map(AdminUsersController.timestamp) ?? "",
                "lastSeen": session.savedAt.map(AdminUsersController.timestamp) ?? "",
            ] }
    }

    /// Ends one of the user's other sessions, named by its public ID: the store ends it only if it is the user's.
    @Sendable func endSession(_ request: Request, context: WebContext) async throws -> Response {
        guard let user = try await signedIn.user(context) else { return PageRenderer.redirect(to: "/signin") }
        // This session ends by signing out, which also clears the browser's cookie.
        guard let id = context.form["session"], id != currentSessionID(context) else { return PageRenderer.redirect(to: "/account") }
        if try await store.deleteSession(publicID: id, userID: user.id) { try await audit(ended: 1, by: user, context: context) }
        return PageRenderer.redirect(to: "/account?done=ended")
    }

    @Sendable func endOtherSessions(_ request: Request, context: WebContext) async throws -> Response {
        guard let user = try await signedIn.user(context), let handle = context.session else { return PageRenderer.redirect(to: "/signin") }
        let ended = try await store.deleteSessions(userID: user.id, keeping: SessionMiddleware.digest(handle.key))
        if ended > 0 { try await audit(ended: ended, by: user, context: context) }
        return PageRenderer.redirect(to: "/account?done=endedOthers")
    }

    private func audit(ended: Int, by user: User, context: WebContext) async throws {
        try await store.appendAudit(AuditEvent(
            at: clock.now, activity: .userEndedSessions, actor: user.userID, target: user.userID, detail: "\(ended) session(s)",
            requestID: context.requestID))
    }
}
