import ServiceLifecycle

/// Runs the delivery queue's workers for as long as the server runs. On graceful shutdown (which comes once the
/// server has answered its last request) the queue claims nothing more and its sends under way get `grace` to
/// finish; then they are cancelled and their messages handed back (docs/operations.md#shutdown).
public struct DeliveryWorker: Service {
    let queue: DeliveryQueue
    let grace: Duration

    public init(queue: DeliveryQueue, grace: Duration = .seconds(2)) {
        self.queue = queue
        self.grace = grace
    }

    public func run() async throws {
        let (queue, grace) = (self.queue, self.grace)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await queue.run() }
            group.addTask {
                // Thrown when cancelled rather than shut down gracefully: then everything stops at once.
                guard (try? await gracefulShutdown()) != nil else { return }
                await queue.stop()
                try? await Task.sleep(for: grace)
            }
            // The workers are done, or the grace is over, or the service is cancelled: whatever still runs stops.
            await group.next()
            group.cancelAll()
        }
    }
}
