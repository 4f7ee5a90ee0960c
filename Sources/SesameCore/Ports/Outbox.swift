/// How the portals send: through the delivery queue, which retries and survives a restart.
public protocol Outbox: Sendable {
    /// Queues `message` and waits until it has left: the page needs the outcome to show its "Oops!"
    /// (docs/behaviour.md#codes-by-sms-call-or-email). Throws ``DeliveryError`` when it failed or did not leave in
    /// time.
    func send(_ message: OutgoingMessage) async throws
    /// Queues a notice and returns at once; it is retried until it leaves or expires.
    func post(_ message: OutgoingMessage) async throws
}
