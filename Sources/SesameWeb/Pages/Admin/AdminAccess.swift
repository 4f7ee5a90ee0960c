import Hummingbird
import SesameCore

/// Who may use the admin portal (docs/behaviour.md#administration).
struct AdminAccess: Sendable {
    let signedIn: SignedInUsers
    let layout: PageLayout

    /// Runs `body` for a signed-in administrator holding one of `roles`; anyone else is sent to sign in, or refused
    /// with a page that says so. Any administrator may look at the policy; changing it is for global administrators.
    func administrator(
        _ context: WebContext, roles: Set<Role> = Set(Role.allCases), _ body: (User) async throws -> Response
    ) async throws -> Response {
        guard let user = try await signedIn.user(context) else { return PageRenderer.redirect(to: "/signin") }
        guard !user.roles.isDisjoint(with: roles) else {
            return try await layout.render("admin-refused", titleKey: "admin.title", values: ["admin": user.isPrivileged], context: context, status: .forbidden)
        }
        return try await body(user)
    }
}
