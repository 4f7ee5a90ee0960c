import Foundation
import SesameCore

/// The user a session is signed in as, read from the store.
struct SignedInUsers: Sendable {
    let store: any UserStore

    /// The signed-in user, or `nil`: also when the account was deleted or disabled since, and while the password the
    /// user signed in with has expired and is not yet replaced — only the page that replaces it allows that.
    func user(_ context: WebContext, allowingExpiredPassword: Bool = false) async throws -> User? {
        guard let session = context.session?.session, let id = session.userID, allowingExpiredPassword || !session.mustChangePassword,
            let user = try await read(id, context), user.enabled
        else { return nil }
        return user
    }

    /// The user a middleware already read in this request, or a fresh reading.
    private func read(_ id: UUID, _ context: WebContext) async throws -> User? {
        if let known = context.signedInUser, known.id == id { return known }
        return try await store.user(id: id)
    }
}
