import ServiceLifecycle

/// Runs the delivery queue's workers for as long as the server runs.
public struct DeliveryWorker: Service {
    let queue: DeliveryQueue

    public init(queue: DeliveryQueue) {
        self.queue = queue
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await queue.run() }
    }
}
