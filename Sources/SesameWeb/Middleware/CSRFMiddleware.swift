import Foundation
import Hummingbird
import SesameCore

/// Every form post must carry the session's CSRF token; the posted form is parsed once here for the pages.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = WebContext
    /// Reads the signed-in user's roles, only on routes that declare a larger body.
    let users: any UserStore
    /// The larger body this group's routes take; `nil` holds every form to the context's limit.
    let largeBody: BodyLimit?

    init(users: any UserStore, largeBody: BodyLimit? = nil) {
        self.users = users
        self.largeBody = largeBody
    }

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        var request = request
        var context = context
        let limit = try await limit(&context)
        let body = try await request.readBody(upTo: limit)
        if let type = request.headers[.contentType], HeaderParameters(type).value == "multipart/form-data" {
            context.form = FormData(multipart: MultipartForm(body: Data(body.readableBytesView), contentType: type))
        } else {
            context.form = FormData(urlEncoded: String(buffer: body))
        }
        if request.cookies[SessionMiddleware.cookieName] == nil {
            throw PageError.cookiesDisabled(typedUserID: context.form.text("userID"))
        }
        guard let expected = context.session?.session.csrfToken, let sent = context.form["_csrf"],
            ConstantTime.equal(expected, sent)
        else {
            throw PageError.csrf
        }
        return try await next(request, context)
    }

    /// The declared larger limit for a sender with one of its roles, and the context's limit for anyone else: decided
    /// before any of the body is read (docs/security.md#body-limits).
    private func limit(_ context: inout WebContext) async throws -> Int {
        guard let largeBody, try await signedInRoles(&context).isDisjoint(with: largeBody.roles) == false else { return context.maxUploadSize }
        return largeBody.bytes
    }

    /// The roles of the signed-in user, whom the page then reuses (docs/architecture.md#one-request-end-to-end).
    private func signedInRoles(_ context: inout WebContext) async throws -> Set<Role> {
        guard let id = context.session?.session.userID else { return [] }
        context.signedInUser = try await users.user(id: id)
        return context.signedInUser?.roles ?? []
    }
}
