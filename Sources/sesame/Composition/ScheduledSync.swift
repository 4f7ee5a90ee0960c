import Logging
import ServiceLifecycle
import SesameCore

/// Runs the directory sync every so often while the server runs; a failed run is logged and the next one tried.
struct ScheduledSync: Service {
    let sync: DirectorySync
    let every: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let report = try await sync.run()
                    logger.info("directory sync", metadata: ["result": "\(report.summary)"])
                } catch {
                    logger.error("directory sync failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: every)
            }
        }
    }
}
