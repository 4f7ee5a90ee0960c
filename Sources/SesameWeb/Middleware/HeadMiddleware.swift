import Hummingbird

/// Answers HEAD exactly as GET, headers (`Content-Length`, `Content-Type`, cookies) included, without the body. The
/// router routes HEAD to each GET route (`autoGenerateHeadEndpoints`); this middleware, outermost, drops the body of
/// every other answer to HEAD — an unknown path's 404 page, the API's JSON errors — so that no route has to care
/// (docs/behaviour.md#head-requests).
struct HeadMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .head else { return try await next(request, context) }
        do {
            return try await next(request, context).createHeadResponse()
        } catch let error as any HTTPResponseError {
            // What the router would have answered for the error, minus its body.
            return try error.response(from: request, context: context).createHeadResponse()
        }
    }
}
