import Logging
import SesameWeb
import Synchronization

/// Sends every logger of the process to ``SesameLogHandler`` in the configured format and level
/// (docs/operations.md#logs).
enum LogSystem {
    /// swift-log may be set up once a process, and stops the process when asked twice: the first configuration wins.
    private static let started = Atomic<Bool>(false)

    static func start(_ configuration: Configuration) {
        guard started.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        let (format, level) = (configuration.logFormat, configuration.logLevel)
        LoggingSystem.bootstrap { label in SesameLogHandler(label: label, format: format, level: level) }
    }
}
