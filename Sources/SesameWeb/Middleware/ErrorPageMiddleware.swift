import Hummingbird
import Logging
import SesameCore

/// Turns every failure of a page into an error page in the user's language with a support code; the log line gets
/// the detail and the same code.
struct ErrorPageMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let renderer: PageRenderer
    let organisation: @Sendable () async -> String
    let hasLogo: @Sendable () async -> Bool
    /// Records a reset attempt from a browser without cookies in the reset activity report (docs/behaviour.md#endings).
    let recordNoCookies: @Sendable (_ typedUserID: String, _ requestID: String) async -> Void

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            return response
        } catch {
            let (status, key): (HTTPResponse.Status, String) =
                switch error {
                case PageError.csrf: (.forbidden, "error.csrf")
                case PageError.cookiesDisabled: (.forbidden, "error.cookies")
                case PageError.notFound: (.notFound, "error.notFound")
                case let error as any HTTPResponseError where error.status == .notFound: (.notFound, "error.notFound")
                case let error as any HTTPResponseError where error.status == .contentTooLarge: (.contentTooLarge, "error.tooLarge")
                // Any other refusal of the request itself (a malformed body, an unknown method) is the client's, not ours.
                case let error as any HTTPResponseError where (400..<500).contains(error.status.code): (error.status, "error.badRequest")
                default: (.internalServerError, "error.generic")
                }
            if case PageError.cookiesDisabled(let typed) = error, request.uri.path == "/reset" {
                // A real user's report costs a write an unknown ID does not: after the answer.
                let requestID = context.requestID
                afterAnswering { await recordNoCookies(typed, requestID) }
            }
            if status == .internalServerError {
                context.logger.error("page failed", metadata: ["error": "\(error)", "support_code": "\(context.requestID)"])
            } else {
                context.logger.info("page refused", metadata: ["status": "\(status.code)", "support_code": "\(context.requestID)"])
            }
            let language = context.language
            return renderer.page(
                "error", title: WebCatalogue.text("error.title", in: language),
                values: ["message": WebCatalogue.text(key, in: language)], context: context,
                organisation: await organisation(), logo: await hasLogo(), status: status)
        }
    }
}
