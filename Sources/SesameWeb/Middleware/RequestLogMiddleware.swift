import Hummingbird
import Logging
import SesameCore

/// Hummingbird's request log line, except that the path of a "This wasn't me" link is written without its token: a
/// live link in a log would let anyone who reads it act for the user (docs/security.md#this-wasnt-me-links).
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let log = LogRequestsMiddleware<Context>(.info)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix(ReportLinks.path) else { return try await log.handle(request, context: context, next: next) }
        context.logger.info("Request", metadata: [
            "hb.request.path": .string("\(ReportLinks.path)(token)"), "hb.request.method": .string(request.method.rawValue),
        ])
        return try await next(request, context)
    }
}
