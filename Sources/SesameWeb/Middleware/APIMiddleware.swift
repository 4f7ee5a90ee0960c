import Foundation
import Hummingbird
import Logging
import SesameCore

/// The JSON API's door: every call but the OpenAPI document needs a live bearer token — neither revoked nor expired
/// (its use is recorded) — and every failure is answered in JSON with a stable code, never the HTML error page. What
/// the token's scope allows is checked per operation, by ``APIController/routes``.
struct APIMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let tokens: TokenService
    static let documentPath = APIUnmatchedMiddleware.prefix + "/openapi.json"

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        var context = context
        do {
            // Only the document itself is public: any other path, `/users/openapi.json` included, needs a token.
            if request.uri.path != Self.documentPath {
                guard let presented = BearerToken.parse(request.headers[.authorization]), let token = try await tokens.authenticate(presented)
                else { throw APIError.unauthorized }
                context.apiActor = "token:\(token.name)"
                context.apiScope = token.scope
            }
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            let code = error.status == .contentTooLarge ? "too_large" : "bad_request"
            return try APIError(error.status, code, "the request was refused (\(error.status.code))").response(from: request, context: context)
        } catch {
            context.logger.error("api call failed", metadata: ["error": "\(error)", "support_code": "\(context.requestID)"])
            return try APIError(.internalServerError, "internal", "the server failed; support code \(context.requestID)")
                .response(from: request, context: context)
        }
    }
}
