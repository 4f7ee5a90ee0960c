import Hummingbird

/// Answers in JSON a call under `/api/v1` that no operation matched — 405 with `Allow` when the path takes other
/// methods, 404 otherwise — where the rest of the site gets its HTML error page. The API's own middleware never sees
/// such a call: Hummingbird runs a group's middleware only once one of its routes matched.
struct APIUnmatchedMiddleware: RouterMiddleware {
    typealias Context = WebContext
    static let prefix = "/api/v1"

    func handle(_ request: Request, context: WebContext, next: (Request, WebContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError where error.status == .notFound && request.uri.path.hasPrefix(Self.prefix + "/") {
            let methods = Self.methods(for: String(request.uri.path.dropFirst(Self.prefix.count)))
            guard !methods.isEmpty else {
                return try APIError(.notFound, "not_found", "no such operation; the operations are in \(Self.prefix)/openapi.json")
                    .response(from: request, context: context)
            }
            var response = try APIError(.methodNotAllowed, "method_not_allowed", "this path takes \(methods.joined(separator: ", "))")
                .response(from: request, context: context)
            response.headers[.allow] = methods.joined(separator: ", ")
            return response
        }
    }

    /// The methods the operations at `path` take, e.g. `GET, HEAD, PATCH, DELETE` for `/users/bob@contoso.com` (HEAD
    /// wherever GET is, as the router answers it). As in Hummingbird's routing, a fixed segment wins over a parameter:
    /// `/users/import` takes `POST` only.
    static func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let operations = APIController.routes.map { ($0.method, $0.path) } + [(.get, "/openapi.json")]
        let matching = operations.compactMap { method, template -> (method: String, fixed: Int)? in
            let parts = template.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == segments.count,
                  zip(parts, segments).allSatisfy({ part, segment in part.hasPrefix("{") ? !segment.isEmpty : part == segment })
            else { return nil }
            return (method.rawValue, parts.count { !$0.hasPrefix("{") })
        }
        let mostFixed = matching.map(\.fixed).max()
        return matching.filter { $0.fixed == mostFixed }.flatMap { $0.method == "GET" ? ["GET", "HEAD"] : [$0.method] }
    }
}
