import Hummingbird
import SesameCore

/// Counts and times every request by route pattern, method and status (docs/operations.md#metrics). Outermost, so
/// that it sees the answer the client gets, error pages included.
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: SesameMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, context, status: response.status, since: started)
            return response
        } catch {
            record(request, context, status: (error as? any HTTPResponseError)?.status ?? .internalServerError, since: started)
            throw error
        }
    }

    /// The route is the pattern the router matched (`/api/v1/users/{id}`, or the router's own `NotFound`), never the
    /// path a client sent.
    private func record(_ request: Request, _ context: Context, status: HTTPResponse.Status, since started: ContinuousClock.Instant) {
        // A made-up method is "other", so that it adds no series.
        let method = countedMethods.contains(request.method) ? request.method.rawValue : "other"
        metrics.httpRequest(
            route: context.endpointPath ?? "NotFound", method: method, status: status.code, took: ContinuousClock.now - started)
    }
}

/// The methods counted by name.
private let countedMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options]
