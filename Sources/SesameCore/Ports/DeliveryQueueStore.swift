import Foundation

/// The delivery queue's table: messages waiting to leave, claimed by one worker at a time (a lease), retried with
/// backoff, and kept (without their content) for a while so that the page that queued one learns how it went.
public protocol DeliveryQueueStore: Sendable {
    /// Queues `message`; with a `lease`, already claimed by its owner (`message.attempts` counts this first one), so
    /// that a worker of the instance that queued it sends it at once without a claim of its own: one write fewer for
    /// every message (docs/architecture.md#one-request-end-to-end).
    func enqueue(_ message: QueuedMessage, claimedBy lease: DeliveryLease?) async throws
    /// Claims up to `limit` pending messages that are due, for `owner` until `leaseUntil`, counting an attempt on
    /// each, leaving messages of the `excluded` channels alone. One atomic statement: two workers, on one instance or
    /// two, never claim the same message.
    func claimDeliveries(now: Date, owner: String, leaseUntil: Date, limit: Int, excluding excluded: Set<CodeChannel>) async throws -> [QueuedMessage]
    /// The message left: its content is erased.
    func markDelivered(_ id: UUID, at: Date) async throws
    /// Try again at `next`; the lease is released.
    func markRetry(_ id: UUID, next: Date, error: String) async throws
    /// `owner` stopped before the message's outcome was known (a server shutting down): its claim ends now, so that
    /// any worker may take the message at once. The attempt still counts; a claim by another owner is left alone.
    func releaseDelivery(_ id: UUID, owner: String) async throws
    /// The message will not leave: its content is erased. Only a pending message changes.
    func markFailed(_ id: UUID, error: String, at: Date) async throws
    func deliveryState(_ id: UUID) async throws -> DeliveryState?
    /// Forgets messages that finished before `date`; how many.
    func purgeDeliveries(finishedBefore date: Date) async throws -> Int
    /// How many messages wait to leave, and since when the oldest waits (docs/operations.md#metrics).
    func deliveryBacklog(now: Date) async throws -> DeliveryBacklog
}

extension DeliveryQueueStore {
    /// Queues `message` for any worker to claim.
    public func enqueue(_ message: QueuedMessage) async throws {
        try await enqueue(message, claimedBy: nil)
    }

    /// Claims messages of every channel.
    public func claimDeliveries(now: Date, owner: String, leaseUntil: Date, limit: Int) async throws -> [QueuedMessage] {
        try await claimDeliveries(now: now, owner: owner, leaseUntil: leaseUntil, limit: limit, excluding: [])
    }
}

/// Who holds a claim on a message, and until when.
public struct DeliveryLease: Sendable, Hashable {
    public let owner: String
    public let until: Date

    public init(owner: String, until: Date) {
        self.owner = owner
        self.until = until
    }
}

/// A queued message as the store keeps it: its content sealed (it may hold a code), its schedule in the clear.
public struct QueuedMessage: Sendable, Hashable {
    public let id: UUID
    public let channel: CodeChannel
    public let sealed: Data
    /// Attempts made so far, this one included once claimed.
    public let attempts: Int
    public let enqueuedAt: Date
    /// After this, it is not worth sending: the code inside has expired.
    public let expiresAt: Date

    public init(id: UUID, channel: CodeChannel, sealed: Data, attempts: Int, enqueuedAt: Date, expiresAt: Date) {
        self.id = id
        self.channel = channel
        self.sealed = sealed
        self.attempts = attempts
        self.enqueuedAt = enqueuedAt
        self.expiresAt = expiresAt
    }
}

/// The messages still waiting to leave.
public struct DeliveryBacklog: Sendable, Hashable {
    public let waiting: Int
    /// Seconds since the oldest waiting message was queued; 0 when none waits.
    public let oldestAge: Double

    public init(waiting: Int, oldestEnqueuedAt: Date?, now: Date) {
        self.waiting = waiting
        oldestAge = oldestEnqueuedAt.map { max(now.timeIntervalSince($0), 0) } ?? 0
    }
}

/// Where a queued message stands.
public enum DeliveryState: Sendable, Hashable {
    case pending(attempts: Int)
    case delivered
    case failed(String)
}
