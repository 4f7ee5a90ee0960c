import Hummingbird
import Logging
import SesameCore

/// Failures that end on an error page, each with a plain message in the user's language.
enum PageError: Error {
    case csrf
    case notFound
    case generic
}

/// Turns every failure of a page into an error page in the user's language with a support code; the log line gets
/// the detail and the same code.
struct ErrorPageMiddleware: RouterMiddleware {
    typealias Context = WebContext
    let renderer: PageRenderer
    let organisation: @Sendable () async -> String

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            return response
        } catch {
            let (status, key): (HTTPResponse.Status, String) =
                switch error {
                case PageError.csrf: (.forbidden, "error.csrf")
                case PageError.notFound: (.notFound, "error.notFound")
                case let error as any HTTPResponseError where error.status == .notFound: (.notFound, "error.notFound")
                case let error as any HTTPResponseError where error.status == .contentTooLarge: (.contentTooLarge, "error.tooLarge")
                default: (.internalServerError, "error.generic")
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
                organisation: await organisation(), status: status)
        }
    }
}
