import Logging
import ServiceLifecycle
import UnixSignals

extension ServiceGroup {
    /// What `serve` runs in: SIGTERM or SIGINT starts a graceful shutdown (the socket closes, requests under way are
    /// answered, then the services stop in reverse order, the delivery queue handing back what it has not sent);
    /// whatever still runs 8 s later is cancelled, so that the process is gone within 10 s of the signal
    /// (docs/operations.md#shutdown).
    static func serving(_ service: some Service, logger: Logger) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(8)
        // Past this, a service that ignores cancellation stops the process rather than keep it.
        configuration.maximumCancellationDuration = .seconds(1)
        return ServiceGroup(configuration: configuration)
    }
}
