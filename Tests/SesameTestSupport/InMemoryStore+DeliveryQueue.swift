import Foundation
import SesameCore
import Synchronization

extension InMemoryStore {
    /// A row of the delivery queue: the message (its content erased once finished), its schedule and its lease.
    struct Delivery {
        var message: QueuedMessage
        var finished: DeliveryState?
        var nextAttemptAt: Date
        var leaseUntil: Date?
        var leaseOwner: String?
        var finishedAt: Date?
    }
}

// MARK: DeliveryQueueStore
extension InMemoryStore {
    public func enqueue(_ message: QueuedMessage, claimedBy lease: DeliveryLease?) async throws {
        try state.withLock { state in
            guard !state.deliveries.contains(where: { $0.message.id == message.id }) else { throw StoreError.conflict("message \(message.id)") }
            state.deliveries.append(Delivery(message: message, nextAttemptAt: message.enqueuedAt, leaseUntil: lease?.until, leaseOwner: lease?.owner))
        }
    }

    /// The soonest due first (in the order they were queued when due at once), each counting an attempt.
    public func claimDeliveries(
        now: Date, owner: String, leaseUntil: Date, limit: Int, excluding excluded: Set<CodeChannel>
    ) async throws -> [QueuedMessage] {
        state.withLock { state in
            let due = state.deliveries.indices.filter { index in
                let row = state.deliveries[index]
                return row.finished == nil && row.nextAttemptAt <= now && (row.leaseUntil.map { $0 <= now } ?? true)
                    && !excluded.contains(row.message.channel)
            }
            let claimed = due.sorted { (state.deliveries[$0].nextAttemptAt, $0) < (state.deliveries[$1].nextAttemptAt, $1) }.prefix(max(limit, 0))
            return claimed.map { index in
                let old = state.deliveries[index].message
                let message = QueuedMessage(
                    id: old.id, channel: old.channel, sealed: old.sealed, attempts: old.attempts &+ 1, enqueuedAt: old.enqueuedAt, expiresAt: old.expiresAt)
                state.deliveries[index].message = message
                state.deliveries[index].leaseUntil = leaseUntil
                state.deliveries[index].leaseOwner = owner
                return message
            }
        }
    }

    public func markDelivered(_ id: UUID, at date: Date) async throws {
        finish(id, as: .delivered, at: date)
    }

    public func markFailed(_ id: UUID, error: String, at date: Date) async throws {
        finish(id, as: .failed(error), at: date)
    }

    /// Only a pending message finishes; its content is erased.
    private func finish(_ id: UUID, as outcome: DeliveryState, at date: Date) {
        state.withLock { state in
            for index in state.deliveries.indices where state.deliveries[index].message.id == id && state.deliveries[index].finished == nil {
                let old = state.deliveries[index].message
                state.deliveries[index].message = QueuedMessage(
                    id: old.id, channel: old.channel, sealed: Data(), attempts: old.attempts, enqueuedAt: old.enqueuedAt, expiresAt: old.expiresAt)
                state.deliveries[index].finished = outcome
                state.deliveries[index].finishedAt = date
                state.deliveries[index].leaseUntil = nil
            }
        }
    }

    public func markRetry(_ id: UUID, next: Date, error: String) async throws {
        state.withLock { state in
            for index in state.deliveries.indices where state.deliveries[index].message.id == id && state.deliveries[index].finished == nil {
                state.deliveries[index].nextAttemptAt = next
                state.deliveries[index].leaseUntil = nil
            }
        }
    }

    public func releaseDelivery(_ id: UUID, owner: String) async throws {
        state.withLock { state in
            for index in state.deliveries.indices
            where state.deliveries[index].message.id == id && state.deliveries[index].finished == nil && state.deliveries[index].leaseOwner == owner {
                state.deliveries[index].leaseUntil = nil
                state.deliveries[index].leaseOwner = nil
            }
        }
    }

    public func deliveryState(_ id: UUID) async throws -> DeliveryState? {
        state.withLock { state in
            state.deliveries.first { $0.message.id == id }.map { $0.finished ?? .pending(attempts: $0.message.attempts) }
        }
    }

    public func deliveryBacklog(now: Date) async throws -> DeliveryBacklog {
        state.withLock { state in
            let waiting = state.deliveries.filter { $0.finished == nil }
            return DeliveryBacklog(waiting: waiting.count, oldestEnqueuedAt: waiting.map(\.message.enqueuedAt).min(), now: now)
        }
    }

    public func purgeDeliveries(finishedBefore date: Date) async throws -> Int {
        state.withLock { state in
            let before = state.deliveries.count
            state.deliveries.removeAll { $0.finishedAt.map { $0 < date } ?? false }
            return before - state.deliveries.count
        }
    }
}
