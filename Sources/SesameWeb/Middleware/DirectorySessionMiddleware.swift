import Foundation
import Hummingbird
import SesameCore

/// Ends the session of a directory user whose password was changed, or whose account was locked or disabled, in the
/// directory since sign-in; the directory is asked once per interval per session at most
/// (docs/security.md#sessions-and-the-directory).
struct DirectorySessionMiddleware: RouterMiddleware {
    typealias Context = WebContext

    let check: DirectorySessionCheck
    let store: any Store
    let clock: any WallClock
    let random: any RandomSource

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard check.isWatching, let handle = context.session, let id = handle.session.userID else { return try await next(request, context) }
        // The page reuses the user read here (docs/architecture.md#one-request-end-to-end).
        var context = context
        guard let watch = handle.session.directory else {
            // A session with no watch was signed in before sessions were watched (or by a path that set none): a
            // directory user's would never be checked, so it ends (docs/security.md#sessions-and-the-directory).
            context.signedInUser = try await store.user(id: id)
            guard let user = context.signedInUser, user.source == .directory else { return try await next(request, context) }
            return try await end(handle, of: user, reason: .unconfirmed, context: context)
        }
        guard check.isDue(watch) else { return try await next(request, context) }
        context.signedInUser = try await store.user(id: id)
        guard let user = context.signedInUser else { return try await next(request, context) }
        switch await check.check(watch, userID: user.userID, privileged: user.isPrivileged) {
        case .keep(let confirmed):
            if confirmed != watch { handle.update { $0.directory = confirmed } }
            return try await next(request, context)
        case .end(let reason):
            return try await end(handle, of: user, reason: reason, context: context)
        }
    }

    private func end(_ handle: SessionHandle, of user: User, reason: DirectorySessionCheck.Reason, context: WebContext) async throws -> Response {
        // As signing out does: a fresh key, nothing of the old session kept.
        handle.rotate(newKey: SessionMiddleware.token(random), csrfToken: SessionMiddleware.token(random))
        handle.update { $0 = WebSession(csrfToken: $0.csrfToken) }
        // What changed in the directory is true of every session signed in before: they all end now.
        if reason != .unconfirmed { _ = try await store.deleteSessions(userID: user.id, keeping: nil) }
        try await store.appendAudit(AuditEvent(
            at: clock.now, activity: .sessionEnded, actor: user.userID, target: user.userID, detail: reason.detail, requestID: context.requestID))
        return PageRenderer.redirect(to: "/signin?ended=\(reason == .unconfirmed ? "unconfirmed" : "changed")")
    }
}
