import Hummingbird
import Logging
import Prometheus
import SesameCore

/// `GET /metrics`: Prometheus's text format (docs/operations.md#metrics).
///
/// With `SESAME_METRICS_TOKEN`, a scraper sends it as a bearer token. Without one, the main port answers only a
/// scraper on this machine (counts of resets and sign-ins are not for everyone), while a port of its own
/// (`SESAME_METRICS_PORT`) answers whoever the operator's network lets reach it.
struct MetricsController {
    typealias Context = WebContext

    let prometheus: PrometheusMetrics
    let backlog: any DeliveryQueueStore
    let clock: any WallClock
    /// Whether a request without a token is answered from any address: true on the metrics port.
    let openWithoutToken: Bool

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .get("metrics", use: scrape)
    }

    @Sendable func scrape(_ request: Request, context: Context) async throws -> Response {
        if let token = prometheus.token {
            guard let sent = BearerToken.parse(request.headers[.authorization]), ConstantTime.equal(token, sent) else {
                return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer realm=\"metrics\""])
            }
        } else if !openWithoutToken, !HealthController.isLocal(peer: context.peerAddress, headers: request.headers) {
            throw PageError.notFound
        }
        do {
            prometheus.metrics.deliveryBacklog(try await backlog.deliveryBacklog(now: clock.now))
        } catch {
            // The other figures are still worth having; the gauges keep their last value.
            context.logger.error("metrics: the delivery queue's backlog cannot be read", metadata: ["error": "\(error)"])
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: prometheus.registry.emitToBuffer())))
    }
}
