import Prometheus
import SesameCore

/// Where every count lands for `/metrics`, and who may read it (docs/operations.md#metrics).
public struct PrometheusMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    /// What the services, the delivery queue, the directory and the middleware count with.
    public let metrics: SesameMetrics
    /// `SESAME_METRICS_TOKEN`: when set, `/metrics` wants it as a bearer token; when not, the main port answers only a
    /// scraper on this machine.
    let token: String?
    /// `SESAME_METRICS_PORT`: `/metrics` on a port of its own instead of the main one.
    let port: Int?

    public init(token: String?, port: Int?, version: String) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        self.token = token
        self.port = port
        metrics = SesameMetrics(factory: PrometheusMetricsFactory(registry: registry))
        metrics.buildInfo(version: version)
    }
}
