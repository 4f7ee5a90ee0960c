import Foundation
import Hummingbird
import SesameCore

/// Every form post must carry the session's CSRF token; the posted form is parsed once here for the pages.
struct CSRFMiddleware: RouterMiddleware {
    typealias Context = WebContext
    /// Who may send the two large forms: only their administrators get the large limits.
    let users: any UserStore

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        guard request.method == .post else { return try await next(request, context) }
        var request = request
        var context = context
        // A CSV import and a logo may be larger than any other form, but only from a session of an administrator who
        // may send them: anyone else, anonymous visitors first, could otherwise make the server hold megabytes per
        // connection (docs/security.md#parsers). Every other form stays within the context's limit.
        // The user is read only for these two paths, not on every form post.
        let limit = switch request.uri.path {
        case "/admin/users/import" where try await signedInRoles(context).isDisjoint(with: [.globalAdmin, .userAdmin]) == false:
            AdminUsersController.importLimit + 64 * 1024
        case "/admin/branding/logo" where try await signedInRoles(context).contains(.globalAdmin): 2 * Logo.maximumSize
        default: context.maxUploadSize
        }
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
            constantTimeEqual(Array(expected.utf8), Array(sent.utf8))
        else {
            throw PageError.csrf
        }
        return try await next(request, context)
    }

    private func signedInRoles(_ context: WebContext) async throws -> Set<Role> {
        guard let id = context.session?.session.userID else { return [] }
        return try await users.user(id: id)?.roles ?? []
    }

    private func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
