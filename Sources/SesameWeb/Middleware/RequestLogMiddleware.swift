import Hummingbird
import Logging
import SesameCore

/// Hummingbird's request log line, except that the path of a "This wasn't me" link is written without its token: a
/// live link in a log would let anyone who reads it act for the user (docs/security.md#this-wasnt-me-links).
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let log = LogRequestsMiddleware<Context>(.info)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isReportLink(request.uri.path) else { return try await log.handle(request, context: context, next: next) }
        context.logger.info("Request", metadata: [
            "hb.request.path": .string("\(ReportLinks.path)(token)"), "hb.request.method": .string(request.method.rawValue),
        ])
        return try await next(request, context)
    }

    /// Whether the router would take `path` to a link: it skips empty segments, so `//wasnt-me/…` (a proxy that strips
    /// a prefix writes such paths) goes there as well as `/wasnt-me/…`.
    static func isReportLink(_ path: String) -> Bool {
        let linkSegment = ReportLinks.path.split(separator: "/").first.map(String.init) ?? ""
        return path.split(separator: "/").first.map { $0.lowercased() == linkSegment } ?? false
    }
}
