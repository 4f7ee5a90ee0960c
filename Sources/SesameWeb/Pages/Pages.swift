import Foundation
import Hummingbird
import SesameCore

/// What every page handler shares: the adapters, the renderer, and a few look-ups.
struct Pages: Sendable {
    let dependencies: WebDependencies
    let renderer: PageRenderer
    /// A real hash to verify unknown users' passwords against, so that they cost the same work as known ones.
    let dummyHash: String
    let branding: BrandingCache
    /// Watches directory users' sessions for changes made in the directory.
    let directorySessions: DirectorySessionCheck

    var store: any Store { dependencies.store }
    var clock: any WallClock { dependencies.clock }

    func policy() async throws -> Policy {
        try await dependencies.policies.current().policy
    }

    /// Changes the policy, this instance's cache told at once.
    var policyService: PolicyService { PolicyService(store: store, clock: clock, cache: dependencies.policies) }

    /// The signed-in user, or `nil`: also when the account was deleted or disabled since, and while the password the
    /// user signed in with has expired and is not yet replaced — only the page that replaces it allows that.
    func signedInUser(_ context: WebContext, allowingExpiredPassword: Bool = false) async throws -> User? {
        guard let session = context.session?.session, let id = session.userID, allowingExpiredPassword || !session.mustChangePassword,
            let user = try await store.user(id: id), user.enabled
        else { return nil }
        return user
    }

    func render(
        _ template: String, titleKey: String, values: [String: Any] = [:], context: WebContext, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        renderer.page(
            template, title: text(titleKey, context), values: values, context: context,
            organisation: try await policy().organisationName, logo: await branding.logo() != nil, status: status)
    }

    func text(_ key: String, _ context: WebContext) -> String {
        WebCatalogue.text(key, in: context.language)
    }

    func text(_ key: String, _ arguments: [String: String], _ context: WebContext) -> String {
        WebCatalogue.text(key, arguments, in: context.language)
    }

    func text(_ message: LocalizedText, _ context: WebContext) -> String {
        WebCatalogue.render(message, in: context.language)
    }

    /// What administrators do to users, from the admin portal and the API alike.
    var administration: UserAdministration {
        UserAdministration(
            store: store, hasher: dependencies.hasher, clock: clock, outbox: dependencies.outbox, directory: dependencies.directory)
    }

    var passwords: AccountPasswords {
        AccountPasswords(hasher: dependencies.hasher, directory: dependencies.directory, clock: clock)
    }

    func audit(
        _ activity: AuditActivity, user: User, status: AuditStatus = .success, failureReason: String? = nil, context: WebContext
    ) async throws {
        try await store.appendAudit(AuditEvent(
            at: clock.now, activity: activity, actor: user.userID, target: user.userID, status: status,
            failureReason: failureReason, requestID: context.requestID))
    }
}
