import CoreMetrics

/// What Sesame counts for its operators (docs/operations.md#metrics), through swift-metrics on the factory the
/// composition root chose: Prometheus for `serve`, nothing by default.
///
/// Every label value comes from a closed set (an enum, a route pattern, a known HTTP method), never from a request's
/// bytes, so an outsider cannot grow the number of series.
public struct SesameMetrics: Sendable {
    private let factory: any MetricsFactory

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// Counts nothing: tests, one-shot commands.
    public static let none = SesameMetrics(factory: NOOPMetricsHandler.instance)

    public func resetStarted() {
        count("sesame_resets_started_total")
    }

    public func resetEnded(_ result: ResetResult) {
        count("sesame_resets_ended_total", [("result", result.metricLabel)])
    }

    /// A code handed to the outbox, for a reset or a registration.
    public func codeSent(_ channel: CodeChannel, purpose: CodePurpose) {
        count("sesame_codes_sent_total", [("channel", channel.rawValue), ("purpose", purpose.rawValue)])
    }

    public func codeChecked(_ check: CodeCheck) {
        count("sesame_codes_checked_total", [("outcome", check.metricLabel)])
    }

    public func throttled(_ kind: ThrottleKind) {
        count("sesame_throttle_blocks_total", [("kind", kind.rawValue)])
    }

    public func signIn(_ outcome: SignInMetric) {
        count("sesame_sign_ins_total", [("outcome", outcome.rawValue)])
    }

    /// A message the delivery queue tried to send: `provider` names the sender (smtp, webhook, twilio, console).
    public func delivery(provider: String, outcome: DeliveryMetric) {
        count("sesame_deliveries_total", [("provider", provider), ("outcome", outcome.rawValue)])
    }

    public func directoryCall(_ operation: String, outcome: String, took duration: Duration) {
        count("sesame_directory_calls_total", [("operation", operation), ("outcome", outcome)])
        time("sesame_directory_call_duration_seconds", [("operation", operation)], duration)
    }

    public func httpRequest(route: String, method: String, status: Int, took duration: Duration) {
        count("sesame_http_requests_total", [("route", route), ("method", method), ("status", String(status))])
        time("sesame_http_request_duration_seconds", [("route", route), ("method", method)], duration)
    }

    /// The delivery queue's backlog, read when metrics are collected.
    public func deliveryBacklog(_ backlog: DeliveryBacklog) {
        Gauge(label: "sesame_delivery_queue_depth", factory: factory).record(backlog.waiting)
        Gauge(label: "sesame_delivery_queue_oldest_age_seconds", factory: factory).record(backlog.oldestAge)
    }

    /// A constant 1 whose label says which build runs.
    public func buildInfo(version: String) {
        Gauge(label: "sesame_build_info", dimensions: [("version", version)], factory: factory).record(1)
    }

    private func count(_ name: String, _ labels: [(String, String)] = []) {
        Counter(label: name, dimensions: labels, factory: factory).increment()
    }

    private func time(_ name: String, _ labels: [(String, String)], _ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        Timer(label: name, dimensions: labels, factory: factory).recordSeconds(Double(seconds) + Double(attoseconds) / 1e18)
    }
}

extension ResetResult {
    /// A plain identifier: the raw value is the report's English words.
    var metricLabel: String {
        switch self {
        case .abandoned: "abandoned"
        case .blocked: "blocked"
        case .cancelled: "cancelled"
        case .contactedAdmin: "contacted_admin"
        case .failed: "failed"
        case .succeeded: "succeeded"
        }
    }
}

extension CodeCheck {
    /// The outcome without its attempts left, so that the label takes a handful of values.
    var metricLabel: String {
        switch self {
        case .accepted: "accepted"
        case .wrong: "wrong"
        case .malformed: "malformed"
        case .expired: "expired"
        case .exhausted: "exhausted"
        case .alreadyUsed: "already_used"
        case .unknown: "unknown"
        }
    }
}

/// How a sign-in ended, as counted.
public enum SignInMetric: String, Sendable, CaseIterable {
    case succeeded, refused, locked, unavailable, throttled
}

/// What became of one attempt to send a message.
public enum DeliveryMetric: String, Sendable, CaseIterable {
    case sent, retry, failed
}
